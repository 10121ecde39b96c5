/// Reading RoaringBitmap's portable serialization (spec §6): null value vectors and inverted
/// indexes, and the 32-bit bitmaps inside Iceberg's deletion vectors. Little-endian; cookie
/// 12346 (no runs) or 12347 (run containers present).
public enum RoaringBitmap {
    /// The set values, ascending.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(SegmentError) -> [UInt32] {
        var consumed = 0
        return try decode(bytes, consumed: &consumed)
    }

    /// The set values, ascending; `consumed` is set to the bitmap's length in bytes (what a
    /// reader of bitmaps laid end to end skips to reach the next).
    public static func decode(_ bytes: ArraySlice<UInt8>, consumed: inout Int) throws(SegmentError) -> [UInt32] {
        let base = bytes.startIndex
        func u16(_ at: Int) throws(SegmentError) -> Int {
            guard at >= 0, base + at + 2 <= bytes.endIndex else { throw SegmentError(.corrupt, "roaring bitmap ends early") }
            return Int(bytes[base + at]) | Int(bytes[base + at + 1]) << 8
        }
        func u32(_ at: Int) throws(SegmentError) -> Int {
            let low = try u16(at)
            let high = try u16(at + 2)
            return low | high << 16
        }
        let cookie = try u32(0)
        var position: Int
        var count: Int
        var runFlags: [Bool] = []
        let hasRuns = cookie & 0xFFFF == 12347
        if hasRuns {
            count = (cookie >> 16) + 1
            let flagBytes = (count + 7) / 8
            guard base + 4 + flagBytes <= bytes.endIndex else { throw SegmentError(.corrupt, "roaring run flags end early") }
            runFlags = (0..<count).map { bytes[base + 4 + $0 / 8] & (1 << UInt8($0 % 8)) != 0 }
            position = 4 + flagBytes
        } else {
            guard cookie == 12346 else { throw SegmentError(.corrupt, "roaring bitmap cookie \(cookie) is unknown") }
            count = try u32(4)
            position = 8
        }
        guard count <= 65536 else { throw SegmentError(.corrupt, "roaring bitmap declares \(count) containers") }
        var keys: [Int] = []
        var cardinalities: [Int] = []
        for i in 0..<count {
            keys.append(try u16(position + 4 * i))
            cardinalities.append(try u16(position + 4 * i + 2) + 1)
        }
        position += 4 * count
        if !hasRuns || count >= 4 { position += 4 * count }
        var values: [UInt32] = []
        for i in 0..<count {
            let high = UInt32(keys[i]) << 16
            if hasRuns && runFlags[i] {
                let runs = try u16(position)
                position += 2
                for r in 0..<runs {
                    let start = try u16(position + 4 * r)
                    let length = try u16(position + 4 * r + 2)
                    for v in start...(start + length) { values.append(high | UInt32(v)) }
                }
                position += 4 * runs
            } else if cardinalities[i] > 4096 {
                guard base + position + 8192 <= bytes.endIndex else { throw SegmentError(.corrupt, "roaring bitmap container ends early") }
                for word in 0..<1024 {
                    var bits: UInt64 = 0
                    for b in 0..<8 { bits |= UInt64(bytes[base + position + word * 8 + b]) << UInt64(8 * b) }
                    while bits != 0 {
                        let bit = bits.trailingZeroBitCount
                        values.append(high | UInt32(word * 64 + bit))
                        bits &= bits - 1
                    }
                }
                position += 8192
            } else {
                for j in 0..<cardinalities[i] { values.append(high | UInt32(try u16(position + 2 * j))) }
                position += 2 * cardinalities[i]
            }
        }
        consumed = position
        return values
    }
}
