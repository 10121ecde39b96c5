/// Variable-length byte strings in Arrow's layout: one contiguous buffer and `count + 1` offsets.
public struct ByteArrays: Sendable, Equatable {
    /// `offsets[i] ..< offsets[i + 1]` is the i-th value's range in `data`.
    public var offsets: [Int32]
    public var data: [UInt8]

    public init() {
        offsets = [0]
        data = []
    }

    public init(offsets: [Int32], data: [UInt8]) {
        precondition(offsets.first == 0 && Int(offsets.last ?? -1) == data.count, "offsets must span data")
        self.offsets = offsets
        self.data = data
    }

    public init(_ values: [[UInt8]]) {
        self.init()
        for value in values { append(value) }
    }

    public var count: Int { offsets.count - 1 }

    public func range(_ index: Int) -> Range<Int> { Int(offsets[index])..<Int(offsets[index + 1]) }

    public subscript(index: Int) -> ArraySlice<UInt8> { data[range(index)] }

    public func string(at index: Int) -> String { String(decoding: data[range(index)], as: UTF8.self) }

    @inlinable
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        data.append(contentsOf: bytes)
        offsets.append(Int32(data.count))
    }

    /// Reserves room for at least `values` values and `bytes` bytes in all, growing
    /// geometrically so that repeated calls stay amortised O(1).
    @inlinable
    public mutating func reserveCapacity(values: Int, bytes: Int) {
        if offsets.capacity < values + 1 { offsets.reserveCapacity(Swift.max(values + 1, offsets.capacity * 2)) }
        if data.capacity < bytes { data.reserveCapacity(Swift.max(bytes, data.capacity * 2)) }
    }
}
