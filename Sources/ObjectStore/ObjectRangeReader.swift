/// Random access to one object through ranged GETs: what a Parquet reader needs (a size, and
/// byte ranges). Nearby ranges are coalesced into one request when the gap between them is
/// at most `coalesceGap` bytes, so a row group's projected column chunks cost few requests.
public struct ObjectRangeReader: Sendable {
    public let store: any ObjectStore
    public let key: String
    /// The object's size, when the caller already knows it (from a listing or a manifest);
    /// otherwise a HEAD finds it.
    public let knownSize: Int?
    public let coalesceGap: Int

    public init(store: any ObjectStore, key: String, size: Int? = nil, coalesceGap: Int = 1 << 20) {
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

    /// The bytes of each range, in the order asked, fetched with coalesced requests.
    public func read(ranges: [Range<Int>]) async throws -> [[UInt8]] {
        var results = [[UInt8]](repeating: [], count: ranges.count)
        for group in RangeCoalescing.groups(ranges, maxGap: coalesceGap) {
            let bytes = try await read(group.span)
            for member in group.members {
                let range = ranges[member]
                results[member] = Array(bytes[(range.lowerBound - group.span.lowerBound)..<(range.upperBound - group.span.lowerBound)])
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
