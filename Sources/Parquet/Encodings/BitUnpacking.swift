/// Unpacking of little-endian, least-significant-bit-first bit-packed integers (the layout of
/// Parquet's RLE/bit-packed hybrid and DELTA_BINARY_PACKED miniblocks, Encodings.md).
enum BitUnpacking {
    /// Unpacks `count` values of `bitWidth` bits (0...64) starting at bit `startBit` of `source`.
    /// Bits past the end of `source` read as zero; callers check lengths beforehand.
    @inline(__always)
    static func unpack<T: FixedWidthInteger & UnsignedInteger>(
        _ source: UnsafeRawBufferPointer, startBit: Int = 0, bitWidth: Int, count: Int, into output: UnsafeMutablePointer<T>
    ) {
        if bitWidth == 0 {
            output.initialize(repeating: 0, count: count)
            return
        }
        if bitWidth <= 56 {
            unpackNarrow(source, startBit: startBit, bitWidth: bitWidth, count: count, into: output)
        } else {
            unpackWide(source, startBit: startBit, bitWidth: bitWidth, count: count, into: output)
        }
    }

    /// Widths up to 56: one unaligned 64-bit load per value covers every bit it needs.
    @inline(__always)
    private static func unpackNarrow<T: FixedWidthInteger & UnsignedInteger>(
        _ source: UnsafeRawBufferPointer, startBit: Int, bitWidth: Int, count: Int, into output: UnsafeMutablePointer<T>
    ) {
        let mask: UInt64 = (1 << UInt64(bitWidth)) &- 1
        guard let base = source.baseAddress else { output.initialize(repeating: 0, count: count); return }
        let size = source.count
        var bit = startBit
        var i = 0
        // Fast loop while an 8-byte load stays inside the buffer.
        while i < count {
            let byte = bit &>> 3
            if byte &+ 8 > size { break }
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
            output[i] = T(truncatingIfNeeded: (word &>> UInt64(bit & 7)) & mask)
            bit &+= bitWidth
            i &+= 1
        }
        while i < count {
            output[i] = T(truncatingIfNeeded: slowRead(base, size: size, bit: bit, bitWidth: bitWidth))
            bit &+= bitWidth
            i &+= 1
        }
    }

    private static func unpackWide<T: FixedWidthInteger & UnsignedInteger>(
        _ source: UnsafeRawBufferPointer, startBit: Int, bitWidth: Int, count: Int, into output: UnsafeMutablePointer<T>
    ) {
        guard let base = source.baseAddress else { output.initialize(repeating: 0, count: count); return }
        for i in 0..<count {
            output[i] = T(truncatingIfNeeded: slowRead(base, size: source.count, bit: startBit + i * bitWidth, bitWidth: bitWidth))
        }
    }

    @inline(__always)
    private static func slowRead(_ base: UnsafeRawPointer, size: Int, bit: Int, bitWidth: Int) -> UInt64 {
        var value: UInt64 = 0
        var got = 0
        var position = bit
        while got < bitWidth {
            let byteIndex = position >> 3
            let shift = position & 7
            let take = min(8 - shift, bitWidth - got)
            let byte = byteIndex < size ? UInt64(base.load(fromByteOffset: byteIndex, as: UInt8.self)) : 0
            value |= ((byte >> UInt64(shift)) & ((1 << UInt64(take)) - 1)) << UInt64(got)
            got += take
            position += take
        }
        return value
    }
}
