import Codecs
import Columnar

/// Decoding single stored values (spec §5.1, §8): big-endian numbers, UTF-8 strings, bytes, and
/// BIG_DECIMAL as an int16 scale plus a two's-complement unscaled value.
enum StoredValue {
    static func fixedWidth(_ type: PinotDataType) -> Int? {
        switch type {
        case .int, .boolean, .float: 4
        case .long, .timestamp, .double: 8
        default: nil
        }
    }

    static func decodeFixed(_ type: PinotDataType, _ reader: BigEndianReader, at offset: Int) throws(SegmentError) -> Value {
        switch type {
        case .int: return .int(Int64(try reader.int32(offset)))
        case .boolean: return .boolean(try reader.int32(offset) != 0)
        case .long, .timestamp: return .int(try reader.int64(offset))
        case .float: return .float(Float(bitPattern: UInt32(bitPattern: try reader.int32(offset))))
        case .double: return .double(Double(bitPattern: UInt64(bitPattern: try reader.int64(offset))))
        default: throw SegmentError(.unsupported, "\(type) is not fixed-width")
        }
    }

    static func decodeVariable(_ type: PinotDataType, _ bytes: ArraySlice<UInt8>) throws(SegmentError) -> Value {
        switch type {
        case .string: return .string(String(decoding: bytes, as: UTF8.self))
        case .json: return .json(String(decoding: bytes, as: UTF8.self))
        case .bytes: return .bytes(Array(bytes))
        case .bigDecimal:
            guard bytes.count >= 2 else {
                if bytes.isEmpty { return .decimal(unscaled: 0, scale: 0) }
                throw SegmentError(.corrupt, "BIG_DECIMAL value of \(bytes.count) bytes")
            }
            let scale = Int(Int16(bitPattern: UInt16(bytes[bytes.startIndex]) << 8 | UInt16(bytes[bytes.startIndex + 1])))
            let magnitude = bytes.dropFirst(2)
            guard magnitude.count <= 16 else { throw SegmentError(.unsupported, "BIG_DECIMAL wider than 128 bits") }
            var value: UInt128 = magnitude.first.map { $0 & 0x80 != 0 } == true ? ~0 : 0
            for byte in magnitude { value = value << 8 | UInt128(byte) }
            return .decimal(unscaled: Int128(bitPattern: value), scale: scale)
        default:
            throw SegmentError(.unsupported, "\(type) is not variable-width")
        }
    }

    /// Decompresses a chunk with Pinot's chunk compression type code (spec §8).
    static func decompress(_ data: ArraySlice<UInt8>, type: Int32, expectedSize: Int?, littleEndianTrailer: Bool) throws(SegmentError) -> [UInt8] {
        do {
            switch type {
            case 0: return Array(data)
            case 1: return try Array(data).withUnsafeBytes { (raw) throws(CodecError) in try Decompressor.decompress(.snappy, raw) }
            case 2: return try Array(data).withUnsafeBytes { (raw) throws(CodecError) in try Decompressor.decompress(.zstd, raw) }
            case 3, 4:
                var payload = Array(data)
                var size = expectedSize
                if type == 4 {
                    guard payload.count >= 4 else { throw SegmentError(.corrupt, "LZ4 chunk shorter than its size prefix") }
                    size = Int(UInt32(payload[0]) | UInt32(payload[1]) << 8 | UInt32(payload[2]) << 16 | UInt32(payload[3]) << 24)
                    payload.removeFirst(4)
                }
                guard let size else { throw SegmentError(.corrupt, "LZ4 chunk without a known size") }
                return try payload.withUnsafeBytes { (raw) throws(CodecError) in try Decompressor.decompress(.lz4Raw, raw, expectedSize: size) }
            case 5:
                guard data.count >= 4 else { throw SegmentError(.corrupt, "GZIP chunk shorter than its size trailer") }
                let tail = Array(data.suffix(4))
                let size = littleEndianTrailer
                    ? Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
                    : Int(UInt32(tail[3]) | UInt32(tail[2]) << 8 | UInt32(tail[1]) << 16 | UInt32(tail[0]) << 24)
                // A zlib stream: skip its 2-byte header and inflate the raw deflate data.
                let stream = Array(data.dropLast(4).dropFirst(2))
                return try stream.withUnsafeBytes { (raw) throws(CodecError) in try Decompressor.decompress(.deflate, raw, expectedSize: size) }
            default:
                throw SegmentError(.unsupported, "chunk compression type \(type)")
            }
        } catch let error as SegmentError {
            throw error
        } catch {
            throw SegmentError(.corrupt, "chunk does not decompress: \(error)", cause: error)
        }
    }
}
