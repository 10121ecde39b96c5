import ObjectStore
import Parquet
import Synchronization

/// A Parquet file in an object store, as the Parquet reader's byte source: the footer with one
/// suffix-sized ranged GET (size known from the listing or manifest, so no HEAD), and each row
/// group's projected column chunks with ranged GETs that merge chunks lying close together
/// (``ObjectRangeReader``).
///
/// With `wholeObjectBelow`, an object no larger than that is read whole by the first read and
/// every later read is served from memory: for the small files streaming writers leave, one
/// request then brings the footer and every chunk, where a round trip costs more than reading
/// the rest of the file would.
public struct ObjectParquetSource: RandomAccessReader {
    public let object: ObjectRangeReader
    public let wholeObjectBelow: Int
    private let whole = WholeObject()

    public init(store: any ObjectStore, key: String, size: Int? = nil, coalesceGap: Int = RangeCostModel.standard.maxGap,
                wholeObjectBelow: Int = 0) {
        object = ObjectRangeReader(store: store, key: key, size: size, coalesceGap: coalesceGap)
        self.wholeObjectBelow = wholeObjectBelow
    }

    public func size() async throws -> Int { try await object.size() }

    public func read(_ range: Range<Int>) async throws -> [UInt8] {
        guard let bytes = try await wholeBytes() else { return try await object.read(range) }
        return try slice(bytes, range)
    }

    public func read(ranges: [Range<Int>]) async throws -> [[UInt8]] {
        guard let bytes = try await wholeBytes() else { return try await object.read(ranges: ranges) }
        return try ranges.map { try slice(bytes, $0) }
    }

    private func slice(_ bytes: [UInt8], _ range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw ObjectStoreError(.truncatedBody, "asked for bytes \(range) of an object of \(bytes.count) bytes", key: object.key)
        }
        return Array(bytes[range])
    }

    /// The whole object, when it is small enough to be read whole (read on first use).
    private func wholeBytes() async throws -> [UInt8]? {
        guard let size = object.knownSize, size <= wholeObjectBelow else { return nil }
        if let bytes = whole.bytes.withLock({ $0 }) { return bytes }
        let bytes = try await object.read(0..<size)
        whole.bytes.withLock { $0 = bytes }
        return bytes
    }
}

/// The bytes of a small object once read: shared by the copies of its source.
private final class WholeObject: Sendable {
    let bytes = Mutex<[UInt8]?>(nil)
}
