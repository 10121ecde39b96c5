/// Every entry's id among a column's distinct values, in as little memory as the ids need: one
/// byte each while there are at most 256 distinct values, two up to 65,536, four beyond — and
/// nothing at all while entry i holds id i (a column of distinct values in order, such as a
/// sequence of ids: its ids are implicit). A column of 10 million rows and 16 values holds 10 MB
/// here, not 40.
struct IdList: Sendable {
    private var narrow: [UInt8] = []
    private var medium: [UInt16] = []
    private var wide: [UInt32] = []
    /// 0 while the ids are implicit, else 1, 2 or 4.
    private(set) var width = 0
    private(set) var count = 0
    /// The entries expected in all (a hint: storage is reserved for them at once).
    var expected = 0

    /// True while entry i holds id i for every i.
    var isImplicit: Bool { width == 0 }

    /// Appends `ids`, whose values are below `distinct`.
    mutating func append(_ ids: UnsafeBufferPointer<UInt32>, distinct: Int) {
        if width == 0 {
            var k = 0
            while k < ids.count && ids[k] == UInt32(truncatingIfNeeded: count + k) { k += 1 }
            if k == ids.count {
                count += ids.count
                return
            }
            widen(to: distinct <= 256 ? 1 : distinct <= 65_536 ? 2 : 4)
        } else if (width == 1 && distinct > 256) || (width == 2 && distinct > 65_536) {
            widen(to: distinct <= 65_536 ? 2 : 4)
        }
        switch width {
        case 1: Self.append(ids, to: &narrow)
        case 2: Self.append(ids, to: &medium)
        default: wide.append(contentsOf: ids)
        }
        count += ids.count
    }

    private static func append<T: FixedWidthInteger>(_ ids: UnsafeBufferPointer<UInt32>, to array: inout [T]) {
        let start = array.count
        array.append(contentsOf: repeatElement(0, count: ids.count))
        array.withUnsafeMutableBufferPointer { out in
            for k in 0..<ids.count { out[start + k] = T(truncatingIfNeeded: ids[k]) }
        }
    }

    mutating func append(_ id: UInt32, distinct: Int) {
        withUnsafePointer(to: id) { append(UnsafeBufferPointer(start: $0, count: 1), distinct: distinct) }
    }

    /// Re-stores every entry at `newWidth` bytes.
    private mutating func widen(to newWidth: Int) {
        guard newWidth > width else { return }
        let all = materialized()
        narrow = []
        medium = []
        wide = []
        width = newWidth
        let reserve = Swift.max(expected, all.count)
        switch newWidth {
        case 1:
            narrow.reserveCapacity(reserve)
            narrow.append(contentsOf: all.lazy.map { UInt8(truncatingIfNeeded: $0) })
        case 2:
            medium.reserveCapacity(reserve)
            medium.append(contentsOf: all.lazy.map { UInt16(truncatingIfNeeded: $0) })
        default:
            wide.reserveCapacity(reserve)
            wide.append(contentsOf: all)
        }
    }

    subscript(index: Int) -> UInt32 {
        switch width {
        case 0: UInt32(index)
        case 1: UInt32(narrow[index])
        case 2: UInt32(medium[index])
        default: wide[index]
        }
    }

    /// Every id as a 32-bit array (while a column is being built).
    func materialized() -> [UInt32] {
        switch width {
        case 0: return (0..<UInt32(count)).map { $0 }
        case 1: return narrow.map { UInt32($0) }
        case 2: return medium.map { UInt32($0) }
        default: return wide
        }
    }

    /// Calls `body` with the ids of `range`, in 4,096-entry pieces.
    func forEach(in range: Range<Int>, _ body: (UnsafeBufferPointer<UInt32>) throws -> Void) rethrows {
        var buffer = [UInt32](repeating: 0, count: Swift.min(4096, range.count))
        var start = range.lowerBound
        while start < range.upperBound {
            let end = Swift.min(range.upperBound, start + 4096)
            for i in start..<end { buffer[i - start] = self[i] }
            try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<(end - start)])) }
            start = end
        }
    }

    mutating func truncate(to newCount: Int) {
        guard newCount < count else { return }
        switch width {
        case 1: narrow.removeLast(count - newCount)
        case 2: medium.removeLast(count - newCount)
        case 4: wide.removeLast(count - newCount)
        default: break
        }
        count = newCount
    }

    /// Replaces every id by `map[id]` (after dropping distinct values).
    mutating func remap(_ map: [UInt32], distinct: Int) {
        let all = materialized().map { map[Int($0)] }
        let expected = self.expected
        self = IdList()
        self.expected = expected
        all.withUnsafeBufferPointer { append($0, distinct: distinct) }
    }

    var estimatedBytes: Int { narrow.capacity + medium.capacity * 2 + wide.capacity * 4 }
}
