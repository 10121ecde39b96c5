/// Unsigned LEB128 varints: seven bits a byte, low group first, the high bit set on every byte
/// but the last. Parquet's RLE and DELTA_BINARY_PACKED headers and Avro's zig-zag longs are
/// stored so; each caller turns a failure into its own format's error.
public enum ULEB128 {
    public enum Failure: Error, Equatable {
        /// The bytes end before the varint's last byte.
        case truncated
        /// More than ten bytes: no 64-bit value is that long.
        case tooLong
    }

    /// Reads a varint from `bytes` at `position`, advancing it past the varint.
    @inlinable
    public static func read<Bytes: RandomAccessCollection>(_ bytes: Bytes, at position: inout Int) throws(Failure) -> UInt64
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.endIndex else { throw .truncated }
            let byte = bytes[position]
            position += 1
            guard shift < 64 else { throw .tooLong }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }
}
