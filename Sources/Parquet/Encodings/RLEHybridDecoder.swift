/// The RLE / bit-packing hybrid (Encodings.md, "Run Length Encoding / Bit-Packing Hybrid"):
/// used for definition and repetition levels, dictionary indices and RLE booleans.
struct RLEHybridDecoder {
    private let data: UnsafeRawBufferPointer
    private var position: Int
    private let bitWidth: Int
    /// Values left in the current run.
    private var repeatRemaining = 0
    private var repeatValue: UInt64 = 0
    private var packedRemaining = 0
    private var packedBitOffset = 0

    /// - Parameters:
    ///   - data: the encoded runs (without any length prefix).
    ///   - bitWidth: bits per value, 0...32.
    init(_ data: UnsafeRawBufferPointer, bitWidth: Int) throws(ParquetError) {
        guard (0...32).contains(bitWidth) else { throw ParquetError(.corruptPage, "RLE bit width \(bitWidth) is above 32") }
        self.data = data
        self.position = 0
        self.bitWidth = bitWidth
    }

    /// Bytes consumed so far (whole runs).
    var consumed: Int { position }

    private mutating func readVarint() throws(ParquetError) -> UInt64 {
        try Varint.read(data, at: &position, what: "RLE run header")
    }

    private mutating func nextRun() throws(ParquetError) {
        let header = try readVarint()
        if header & 1 == 0 {
            let count = header >> 1
            guard count > 0, count <= UInt64(Int32.max) else { throw ParquetError(.corruptPage, "RLE run of \(count) values") }
            let byteWidth = (bitWidth + 7) / 8
            guard data.count - position >= byteWidth else { throw ParquetError(.corruptPage, "RLE run value runs past the end of the data") }
            var value: UInt64 = 0
            for i in 0..<byteWidth { value |= UInt64(data[position + i]) << (8 * UInt64(i)) }
            position += byteWidth
            repeatRemaining = Int(count)
            repeatValue = value
        } else {
            let groups = header >> 1
            guard groups > 0, groups <= UInt64(Int32.max / 8) else { throw ParquetError(.corruptPage, "bit-packed run of \(groups) groups") }
            let values = Int(groups) * 8
            let bytes = Int(groups) * bitWidth
            // Writers may truncate the last group; values past the data are never requested
            // by a valid page, and reading them is refused below.
            packedRemaining = min(values, (data.count - position) * 8 / max(bitWidth, 1))
            if bitWidth == 0 { packedRemaining = values }
            packedBitOffset = position * 8
            position = min(data.count, position + bytes)
            guard packedRemaining > 0 else { throw ParquetError(.corruptPage, "bit-packed run runs past the end of the data") }
        }
    }

    /// Decodes exactly `count` values into `output`.
    /// - Throws: `.corruptPage` if the runs end before `count` values.
    mutating func decode<T: FixedWidthInteger & UnsignedInteger>(into output: UnsafeMutablePointer<T>, count: Int) throws(ParquetError) {
        var written = 0
        while written < count {
            if repeatRemaining == 0 && packedRemaining == 0 { try nextRun() }
            if repeatRemaining > 0 {
                let n = min(repeatRemaining, count - written)
                (output + written).initialize(repeating: T(truncatingIfNeeded: repeatValue), count: n)
                repeatRemaining -= n
                written += n
            } else {
                let n = min(packedRemaining, count - written)
                BitUnpacking.unpack(data, startBit: packedBitOffset, bitWidth: bitWidth, count: n, into: output + written)
                packedBitOffset += n * bitWidth
                packedRemaining -= n
                written += n
            }
        }
    }

    /// Decodes `count` values, returning how many are equal to `value` (used to count non-null
    /// levels without a second pass).
    mutating func decodeCounting<T: FixedWidthInteger & UnsignedInteger>(
        into output: UnsafeMutablePointer<T>, count: Int, equalTo value: T
    ) throws(ParquetError) -> Int {
        try decode(into: output, count: count)
        var matches = 0
        for i in 0..<count where output[i] == value { matches += 1 }
        return matches
    }
}
