import ObjectStore
import Parquet

/// A Parquet file in an object store, as the Parquet reader's byte source: the footer with one
/// suffix-sized ranged GET (size known from the listing or manifest, so no HEAD), and each row
/// group's projected column chunks with ranged GETs that merge chunks lying close together.
public struct ObjectParquetSource: RandomAccessReader {
    public let object: ObjectRangeReader

    public init(store: any ObjectStore, key: String, size: Int? = nil, coalesceGap: Int = 1 << 20) {
        object = ObjectRangeReader(store: store, key: key, size: size, coalesceGap: coalesceGap)
    }

    public func size() async throws -> Int { try await object.size() }
    public func read(_ range: Range<Int>) async throws -> [UInt8] { try await object.read(range) }
    public func read(ranges: [Range<Int>]) async throws -> [[UInt8]] { try await object.read(ranges: ranges) }
}
