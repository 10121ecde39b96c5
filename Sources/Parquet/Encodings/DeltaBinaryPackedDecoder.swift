import Columnar

/// DELTA_BINARY_PACKED (Encodings.md, "Delta Encoding"): blocks of miniblocks of bit-packed
/// deltas from a per-block minimum. Arithmetic wraps, as the spec requires; INT32 columns take the
/// low 32 bits, which equals wrapping 32-bit arithmetic.
struct DeltaBinaryPackedDecoder {
    private let data: UnsafeRawBufferPointer
    private(set) var position = 0
    private(set) var totalCount: Int
    private var blockSize: Int
    private var miniblocksPerBlock: Int
    private var lastValue: Int64
    private var emitted = 0

    init(_ data: UnsafeRawBufferPointer) throws(ParquetError) {
        self.data = data
        self.totalCount = 0
        self.blockSize = 0
        self.miniblocksPerBlock = 0
        self.lastValue = 0
        let blockSize = try readVarint()
        let miniblocks = try readVarint()
        let total = try readVarint()
        let first = try readZigZag()
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
              (blockSize / miniblocks) % 32 == 0, total <= UInt64(Int32.max) else {
            throw ParquetError(.corruptPage, "DELTA_BINARY_PACKED header is invalid (block \(blockSize), miniblocks \(miniblocks), count \(total))")
        }
        self.blockSize = Int(blockSize)
        self.miniblocksPerBlock = Int(miniblocks)
        self.totalCount = Int(total)
        self.lastValue = first
    }

    private mutating func readVarint() throws(ParquetError) -> UInt64 {
        try Varint.read(data, at: &position, what: "DELTA_BINARY_PACKED data")
    }

    private mutating func readZigZag() throws(ParquetError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Decodes every value into `output` (which must have room for `totalCount`).
    mutating func decodeAll(into output: UnsafeMutablePointer<Int64>) throws(ParquetError) {
        guard totalCount > 0 else { return }
        output[0] = lastValue
        emitted = 1
        let miniblockSize = blockSize / miniblocksPerBlock
        var deltas = [UInt64](repeating: 0, count: miniblockSize)
        while emitted < totalCount {
            let minDelta = try readZigZag()
            guard data.count - position >= miniblocksPerBlock else {
                throw ParquetError(.corruptPage, "DELTA_BINARY_PACKED block header runs past the end of the data")
            }
            let widthsStart = position
            position += miniblocksPerBlock
            for m in 0..<miniblocksPerBlock where emitted < totalCount {
                let width = Int(data[widthsStart + m])
                guard width <= 64 else { throw ParquetError(.corruptPage, "DELTA_BINARY_PACKED miniblock bit width \(width)") }
                let bytes = miniblockSize * width / 8
                guard data.count - position >= bytes else {
                    throw ParquetError(.corruptPage, "DELTA_BINARY_PACKED miniblock runs past the end of the data")
                }
                let n = min(miniblockSize, totalCount - emitted)
                deltas.withUnsafeMutableBufferPointer { buffer in
                    BitUnpacking.unpack(UnsafeRawBufferPointer(rebasing: data[position..<position + bytes]),
                                        bitWidth: width, count: n, into: buffer.baseAddress!)
                }
                var value = lastValue
                for k in 0..<n {
                    value = value &+ minDelta &+ Int64(bitPattern: deltas[k])
                    output[emitted + k] = value
                }
                lastValue = value
                emitted += n
                position += bytes
            }
        }
    }

    /// Decodes all values as Int64.
    static func decode(_ data: UnsafeRawBufferPointer, maxCount: Int) throws(ParquetError) -> (values: [Int64], consumed: Int) {
        var decoder = try DeltaBinaryPackedDecoder(data)
        guard decoder.totalCount <= maxCount else {
            throw ParquetError(.corruptPage, "DELTA_BINARY_PACKED declares \(decoder.totalCount) values, the page has \(maxCount)")
        }
        var values = [Int64](repeating: 0, count: decoder.totalCount)
        try values.withUnsafeMutableBufferPointer { (buffer) throws(ParquetError) in
            guard let base = buffer.baseAddress else { return }
            try decoder.decodeAll(into: base)
        }
        return (values, decoder.position)
    }
}

/// DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (Encodings.md).
enum DeltaByteArrayDecoder {
    /// DELTA_LENGTH_BYTE_ARRAY: all lengths (delta-packed), then all bytes.
    static func decodeLengths(_ data: UnsafeRawBufferPointer, count: Int, into values: inout ByteArrays) throws(ParquetError) -> Int {
        let (lengths, consumed) = try DeltaBinaryPackedDecoder.decode(data, maxCount: count)
        guard lengths.count == count else {
            throw ParquetError(.corruptPage, "DELTA_LENGTH_BYTE_ARRAY holds \(lengths.count) lengths, \(count) values expected")
        }
        var position = consumed
        for length in lengths {
            guard length >= 0, length <= Int64(data.count - position) else {
                throw ParquetError(.corruptPage, "DELTA_LENGTH_BYTE_ARRAY value of \(length) bytes runs past the end of the data")
            }
            try values.checkedAppend(UnsafeRawBufferPointer(rebasing: data[position..<position + Int(length)]))
            position += Int(length)
        }
        return position
    }

    /// DELTA_BYTE_ARRAY: prefix lengths (delta-packed), then the suffixes as DELTA_LENGTH_BYTE_ARRAY;
    /// each value is the previous value's prefix followed by its suffix.
    static func decodeIncremental(_ data: UnsafeRawBufferPointer, count: Int, into values: inout ByteArrays) throws(ParquetError) -> Int {
        let (prefixes, consumed) = try DeltaBinaryPackedDecoder.decode(data, maxCount: count)
        var suffixes = ByteArrays()
        let suffixBytes = try decodeLengths(UnsafeRawBufferPointer(rebasing: data[consumed...]), count: prefixes.count, into: &suffixes)
        guard prefixes.count == count else {
            throw ParquetError(.corruptPage, "DELTA_BYTE_ARRAY holds \(prefixes.count) values, \(count) expected")
        }
        var previous: [UInt8] = []
        for i in 0..<count {
            let prefix = prefixes[i]
            guard prefix >= 0, prefix <= Int64(previous.count) else {
                throw ParquetError(.corruptPage, "DELTA_BYTE_ARRAY prefix of \(prefix) bytes exceeds the previous value's \(previous.count)")
            }
            previous.removeLast(previous.count - Int(prefix))
            previous.append(contentsOf: suffixes[i])
            guard values.data.count + previous.count <= Int(Int32.max) else {
                throw ParquetError(.unsupportedFeature, "a column chunk holds more than 2 GiB of BYTE_ARRAY data")
            }
            values.append(previous)
        }
        return consumed + suffixBytes
    }
}

/// BYTE_STREAM_SPLIT (Encodings.md): byte k of value i is at `k * count + i`.
enum ByteStreamSplitDecoder {
    static func decode(_ data: UnsafeRawBufferPointer, count: Int, width: Int, into output: UnsafeMutableRawPointer) throws(ParquetError) {
        guard count * width <= data.count else {
            throw ParquetError(.corruptPage, "BYTE_STREAM_SPLIT data holds \(data.count) bytes, \(count) values of \(width) bytes need \(count * width)")
        }
        guard count > 0 else { return }
        let source = data.baseAddress!
        let destination = output.assumingMemoryBound(to: UInt8.self)
        for k in 0..<width {
            let stream = source.advanced(by: k * count).assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { destination[i * width + k] = stream[i] }
        }
    }
}
