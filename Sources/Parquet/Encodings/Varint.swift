import Codecs

/// ULEB-128 varints, as RLE run headers and DELTA_BINARY_PACKED headers store them (Encodings.md).
enum Varint {
    /// Reads a varint at `position`, advancing it; `what` names the structure in errors.
    static func read(_ data: UnsafeRawBufferPointer, at position: inout Int, what: String) throws(ParquetError) -> UInt64 {
        do {
            return try ULEB128.read(data, at: &position)
        } catch .truncated {
            throw ParquetError(.corruptPage, "\(what) ends inside a varint")
        } catch {
            throw ParquetError(.corruptPage, "\(what) has a varint longer than 10 bytes")
        }
    }
}
