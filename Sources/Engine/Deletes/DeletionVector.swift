import Codecs
import Pinot

/// An Iceberg deletion vector (`deletion-vector-v1`, a Puffin blob): a big-endian length, the
/// magic `D1 D3 39 64`, the deleted positions as a Roaring bitmap in the portable 64-bit layout
/// (a little-endian count of 32-bit bitmaps, each after its little-endian high 32 bits), and a
/// big-endian CRC-32 of the magic and the bitmap.
enum DeletionVector {
    static let magic: [UInt8] = [0xD1, 0xD3, 0x39, 0x64]

    /// The deleted row positions, ascending.
    /// - Throws: `.corruptFile` naming `file` when the blob's length, magic, bitmap or CRC is wrong.
    static func positions(_ blob: [UInt8], file: String) throws(EngineError) -> [Int64] {
        func fail(_ what: String) -> EngineError { EngineError(.corruptFile, "deletion vector: \(what)", file: file) }
        guard blob.count >= 12 else { throw fail("\(blob.count) bytes are too few") }
        let length = Int(blob[0]) << 24 | Int(blob[1]) << 16 | Int(blob[2]) << 8 | Int(blob[3])
        guard length >= 4, 4 + length + 4 <= blob.count else { throw fail("its length \(length) does not fit the \(blob.count)-byte blob") }
        guard Array(blob[4..<8]) == magic else { throw fail("the magic is \(blob[4..<8].map { String($0, radix: 16) }), not d1d33964") }
        let body = Array(blob[4..<(4 + length)])
        let stored = UInt32(blob[4 + length]) << 24 | UInt32(blob[5 + length]) << 16 | UInt32(blob[6 + length]) << 8 | UInt32(blob[7 + length])
        let computed = body.withUnsafeBytes { CRC32.checksum($0) }
        guard stored == computed else { throw fail("CRC \(String(stored, radix: 16)) does not match the content's \(String(computed, radix: 16))") }
        var position = 4
        func u32(_ at: Int) throws(EngineError) -> UInt64 {
            guard at + 4 <= body.count else { throw fail("the bitmap ends early") }
            return UInt64(body[at]) | UInt64(body[at + 1]) << 8 | UInt64(body[at + 2]) << 16 | UInt64(body[at + 3]) << 24
        }
        let count = try u32(position) | (try u32(position + 4)) << 32
        position += 8
        guard count <= UInt64(body.count) else { throw fail("\(count) bitmaps in \(body.count) bytes") }
        var positions: [Int64] = []
        for _ in 0..<count {
            let high = try u32(position)
            position += 4
            var consumed = 0
            let low: [UInt32]
            do {
                low = try RoaringBitmap.decode(body[position...], consumed: &consumed)
            } catch {
                throw fail("a 32-bit bitmap is corrupt: \(error.message)")
            }
            position += consumed
            for value in low { positions.append(Int64(bitPattern: high << 32 | UInt64(value))) }
        }
        return positions
    }
}
