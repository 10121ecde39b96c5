import Metrics
import Parquet

/// A Parquet byte source that counts the bytes it reads (the `bytes read` counter).
struct CountingSource: RandomAccessReader {
    let inner: ObjectParquetSource
    let counter: Counter

    func size() async throws -> Int { try await inner.size() }

    func read(_ range: Range<Int>) async throws -> [UInt8] {
        let bytes = try await inner.read(range)
        counter.increment(by: bytes.count)
        return bytes
    }

    func read(ranges: [Range<Int>]) async throws -> [[UInt8]] {
        let pieces = try await inner.read(ranges: ranges)
        let count = pieces.reduce(0) { $0 + $1.count }
        counter.increment(by: count)
        return pieces
    }
}
