/// Definition and repetition levels (parquet-format README, "Nested Encoding"; Encodings.md,
/// "RLE" and the deprecated "BIT_PACKED").
enum LevelDecoder {
    /// The bit width of levels up to `maxLevel`.
    static func bitWidth(_ maxLevel: Int) -> Int {
        maxLevel == 0 ? 0 : Int.bitWidth - maxLevel.leadingZeroBitCount
    }

    /// Decodes the levels of a v1 data page at the start of `data`; returns the bytes used.
    static func decodeV1(
        _ data: UnsafeRawBufferPointer, encoding: Encoding, maxLevel: Int, count: Int, into output: UnsafeMutablePointer<UInt16>
    ) throws(ParquetError) -> Int {
        let width = bitWidth(maxLevel)
        switch encoding {
        case .rle:
            guard data.count >= 4 else { throw ParquetError(.corruptPage, "level data is shorter than its 4-byte length") }
            let length = Int(UInt32(littleEndian: data.baseAddress!.loadUnaligned(as: UInt32.self)))
            guard length <= data.count - 4 else {
                throw ParquetError(.corruptPage, "level data of \(length) bytes runs past the end of the page (\(data.count - 4) left)")
            }
            try decodeRLE(UnsafeRawBufferPointer(rebasing: data[4..<4 + length]), bitWidth: width, maxLevel: maxLevel, count: count, into: output)
            return 4 + length
        case .bitPacked:
            let bytes = (count * width + 7) / 8
            guard bytes <= data.count else { throw ParquetError(.corruptPage, "BIT_PACKED levels run past the end of the page") }
            var bit = 0
            for i in 0..<count {
                var value = 0
                for _ in 0..<width {
                    let byte = data[bit >> 3]
                    value = value << 1 | Int((byte >> UInt8(7 - (bit & 7))) & 1)
                    bit += 1
                }
                guard value <= maxLevel else { throw ParquetError(.corruptPage, "level \(value) exceeds the maximum \(maxLevel)") }
                output[i] = UInt16(value)
            }
            return bytes
        default:
            throw ParquetError(.unsupportedEncoding, "level encoding \(encoding)")
        }
    }

    /// Decodes RLE-hybrid levels without a length prefix (v2 pages, or after the prefix).
    static func decodeRLE(
        _ data: UnsafeRawBufferPointer, bitWidth: Int, maxLevel: Int, count: Int, into output: UnsafeMutablePointer<UInt16>
    ) throws(ParquetError) {
        var decoder = try RLEHybridDecoder(data, bitWidth: bitWidth)
        try decoder.decode(into: output, count: count)
        var maxSeen: UInt16 = 0
        for i in 0..<count { maxSeen = max(maxSeen, output[i]) }
        guard Int(maxSeen) <= maxLevel else { throw ParquetError(.corruptPage, "level \(maxSeen) exceeds the maximum \(maxLevel)") }
    }
}
