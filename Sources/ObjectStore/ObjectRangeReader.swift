/// What a request costs against the bytes it carries, for deciding when to merge ranges: a
/// separate request pays `firstByteLatency` (S3: 10–50 ms to the first byte), reading the gap
/// between two ranges pays gap / `bandwidth`. Merging pays while the gap is below
/// latency × bandwidth (``maxGap``): 2 MB at 20 ms and 100 MB/s, the defaults.
public struct RangeCostModel: Sendable, Equatable {
    /// Seconds to a request's first byte.
    public var firstByteLatency: Double
    /// Bytes per second of one request's body.
    public var bandwidth: Double

    public init(firstByteLatency: Double, bandwidth: Double) {
        self.firstByteLatency = firstByteLatency
        self.bandwidth = bandwidth
    }

    public static let standard = RangeCostModel(firstByteLatency: 0.020, bandwidth: 100e6)

    /// The largest gap worth reading rather than paying for another request.
    public var maxGap: Int { Int((firstByteLatency * bandwidth).rounded()) }
}

/// Random access to one object through ranged GETs: what a Parquet reader needs (a size, and
/// byte ranges). Nearby ranges are coalesced into one request when the gap between them is
/// at most `coalesceGap` bytes (``RangeCostModel``), so a row group's projected column chunks
/// cost few requests; the requests that remain go out at once.
public struct ObjectRangeReader: Sendable {
    public let store: any ObjectStore
    public let key: String
    /// The object's size, when the caller already knows it (from a listing or a manifest);
    /// otherwise a HEAD finds it.
    public let knownSize: Int?
    public let coalesceGap: Int

    public init(store: any ObjectStore, key: String, size: Int? = nil, coalesceGap: Int = RangeCostModel.standard.maxGap) {
        self.store = store
        self.key = key
        self.knownSize = size
        self.coalesceGap = coalesceGap
    }

    public func size() async throws -> Int {
        if let knownSize { return knownSize }
        return try await store.head(key).size
    }

    public func read(_ range: Range<Int>) async throws -> [UInt8] {
        let bytes = try await store.get(key, range: .bounded(range))
        guard bytes.count == range.count else {
            throw ObjectStoreError(.truncatedBody, "asked for \(range.count) bytes at \(range.lowerBound), got \(bytes.count)", key: key)
        }
        return bytes
    }

    /// The bytes of each range, in the order asked, fetched with coalesced requests that go
    /// out at once.
    public func read(ranges: [Range<Int>]) async throws -> [[UInt8]] {
        var results = [[UInt8]](repeating: [], count: ranges.count)
        let groups = RangeCoalescing.groups(ranges, maxGap: coalesceGap)
        try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { tasks in
            for (index, group) in groups.enumerated() {
                tasks.addTask { (index, try await read(group.span)) }
            }
            for try await (index, bytes) in tasks {
                let group = groups[index]
                for member in group.members {
                    let range = ranges[member]
                    results[member] = Array(bytes[(range.lowerBound - group.span.lowerBound)..<(range.upperBound - group.span.lowerBound)])
                }
            }
        }
        return results
    }
}

/// Merging byte ranges whose gaps are small enough that one request costs less than two.
public enum RangeCoalescing {
    public struct Group: Sendable, Equatable {
        /// The range to request.
        public var span: Range<Int>
        /// Indices of the requested ranges it serves.
        public var members: [Int]
    }

    public static func groups(_ ranges: [Range<Int>], maxGap: Int) -> [Group] {
        let order = ranges.indices.filter { !ranges[$0].isEmpty }.sorted { ranges[$0].lowerBound < ranges[$1].lowerBound }
        var groups: [Group] = []
        for index in order {
            let range = ranges[index]
            if var last = groups.last, range.lowerBound <= last.span.upperBound + maxGap {
                last.span = last.span.lowerBound..<max(last.span.upperBound, range.upperBound)
                last.members.append(index)
                groups[groups.count - 1] = last
            } else {
                groups.append(Group(span: range, members: [index]))
            }
        }
        return groups
    }
}
