import Codecs

/// A tar archive (POSIX ustar with GNU long names), as Pinot's `TarCompressionUtils` writes and
/// reads segment tarballs; gzip or zstd compressed, recognised by magic number.
public struct TarArchive: Sendable {
    public struct Entry: Sendable {
        public var path: String
        public var isDirectory: Bool
        public var contents: [UInt8]
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Reads a compressed or plain tar.
    /// - Throws: `SegmentError.corrupt` naming the offset.
    public static func read(_ bytes: [UInt8], limits: DecompressionLimits = DecompressionLimits(maxOutputBytes: 8 << 30)) throws(SegmentError) -> TarArchive {
        var plain = bytes
        do {
            if bytes.starts(with: [0x1f, 0x8b]) {
                plain = try bytes.withUnsafeBytes { (raw) throws(CodecError) in try Decompressor.decompress(.gzip, raw, limits: limits) }
            } else if bytes.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
                plain = try bytes.withUnsafeBytes { (raw) throws(CodecError) in try Decompressor.decompress(.zstd, raw, limits: limits) }
            }
        } catch {
            throw SegmentError(.corrupt, "the tarball does not decompress: \(error)")
        }
        return try parse(plain)
    }

    static func parse(_ data: [UInt8]) throws(SegmentError) -> TarArchive {
        var entries: [Entry] = []
        var offset = 0
        var longName: String?
        while offset + 512 <= data.count {
            let header = data[offset..<offset + 512]
            if header.allSatisfy({ $0 == 0 }) { break }
            func field(_ start: Int, _ length: Int) -> ArraySlice<UInt8> {
                let slice = data[(offset + start)..<(offset + start + length)]
                return slice.prefix(while: { $0 != 0 })
            }
            func octal(_ start: Int, _ length: Int) throws(SegmentError) -> Int {
                let raw = data[(offset + start)..<(offset + start + length)]
                if let first = raw.first, first & 0x80 != 0 {
                    // star/GNU base-256 for large sizes.
                    return raw.dropFirst().reduce(0) { $0 << 8 | Int($1) }
                }
                let text = String(decoding: raw.prefix(while: { $0 != 0 && $0 != 0x20 }).drop(while: { $0 == 0x20 }), as: UTF8.self)
                guard let value = text.isEmpty ? 0 : Int(text, radix: 8) else {
                    throw SegmentError(.corrupt, "tar header at byte \(offset) has a bad number field")
                }
                return value
            }
            let size = try octal(124, 12)
            let type = data[offset + 156]
            let prefix = String(decoding: field(345, 155), as: UTF8.self)
            var name = String(decoding: field(0, 100), as: UTF8.self)
            if !prefix.isEmpty && data[(offset + 257)..<(offset + 262)].elementsEqual(Array("ustar".utf8)) { name = prefix + "/" + name }
            let start = offset + 512
            guard size >= 0, size <= data.count - start else {
                throw SegmentError(.corrupt, "tar entry \(name) of \(size) bytes runs past the end of the archive")
            }
            let contents = Array(data[start..<start + size])
            offset = start + (size + 511) / 512 * 512
            switch type {
            case UInt8(ascii: "L"):
                longName = String(decoding: contents.prefix(while: { $0 != 0 }), as: UTF8.self)
                continue
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                continue
            default:
                let path = longName ?? name
                longName = nil
                entries.append(Entry(path: path, isDirectory: type == UInt8(ascii: "5") || path.hasSuffix("/"), contents: contents))
            }
        }
        return TarArchive(entries: entries)
    }
}
