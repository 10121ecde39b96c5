/// ULEB-128 varints, as RLE run headers and DELTA_BINARY_PACKED headers store them (Encodings.md).
enum Varint {
    /// Reads a varint at `position`, advancing it; `what` names the structure in errors.
    static func read(_ data: UnsafeRawBufferPointer, at position: inout Int, what: String) throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < data.count else { throw ParquetError(.corruptPage, "\(what) ends inside a varint") }
            let byte = data[position]
            position += 1
            guard shift < 64 else { throw ParquetError(.corruptPage, "\(what) has a varint longer than 10 bytes") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }
}
