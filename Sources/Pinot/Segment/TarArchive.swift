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

    /// The decompression bomb guard for a tarball of `compressedBytes`: segments compress about
    /// 3× (at most 20× on repetitive data), so more than 64× its size, and above 512 MiB, is
    /// refused, as is anything above 8 GiB.
    public static func limits(compressedBytes: Int) -> DecompressionLimits {
        DecompressionLimits(maxOutputBytes: min(8 << 30, max(512 << 20, compressedBytes.multipliedReportingOverflow(by: 64).partialValue)))
    }

    /// Reads a compressed or plain tar.
    /// - Throws: `SegmentError.corrupt` naming the offset.
    /// - Parameter limits: the decompressed size allowed; by default `limits(compressedBytes:)`.
    public static func read(_ bytes: [UInt8], limits: DecompressionLimits? = nil) throws(SegmentError) -> TarArchive {
        let limits = limits ?? Self.limits(compressedBytes: bytes.count)
        var plain = bytes
        do {
            if bytes.starts(with: [0x1f, 0x8b]) {
                plain = try bytes.withUnsafeBytes { (raw) throws(CodecError) in try Decompressor.decompress(.gzip, raw, limits: limits) }
            } else if bytes.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
                plain = try bytes.withUnsafeBytes { (raw) throws(CodecError) in try Decompressor.decompress(.zstd, raw, limits: limits) }
            }
        } catch {
            if let codec = error as? CodecError, codec.code == .sizeLimitExceeded {
                throw SegmentError(.corrupt, "the tarball decompresses to more than \(limits.maxOutputBytes) bytes (\(bytes.count) compressed): refused as a decompression bomb")
            }
            throw SegmentError(.corrupt, "the tarball does not decompress: \(error)", cause: error)
        }
        return try parse(plain)
    }

    static func parse(_ data: [UInt8]) throws(SegmentError) -> TarArchive {
        var entries: [Entry] = []
        var offset = 0
        var longName: String?
        while offset + 512 <= data.count {
            if data[offset..<offset + 512].allSatisfy({ $0 == 0 }) { break }
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
            let recordedSum = try? octal(148, 8)
            let header = data[offset..<offset + 512].enumerated().map { 148..<156 ~= $0.offset ? 0x20 : $0.element }
            let sum = header.reduce(0) { $0 + Int($1) }
            // Some old writers summed the bytes as signed chars.
            let signedSum = header.reduce(0) { $0 + Int(Int8(bitPattern: $1)) }
            guard recordedSum == sum || recordedSum == signedSum else {
                throw SegmentError(.corrupt, "the block at byte \(offset) is not a tar header (checksum \(recordedSum.map(String.init) ?? "unreadable"), computed \(sum)): not a tar, gzip or zstd file, or a damaged one")
            }
            let size = try octal(124, 12)
            let type = data[offset + 156]
            let prefix = Self.printable(field(345, 155))
            var name = Self.printable(field(0, 100))
            if !prefix.isEmpty && data[(offset + 257)..<(offset + 262)].elementsEqual(Array("ustar".utf8)) { name = prefix + "/" + name }
            let start = offset + 512
            guard size >= 0, size <= data.count - start else {
                throw SegmentError(.corrupt, "tar entry \(name) of \(size) bytes runs past the end of the archive")
            }
            let contents = Array(data[start..<start + size])
            offset = start + (size + 511) / 512 * 512
            switch type {
            case UInt8(ascii: "L"):
                longName = Self.printable(contents.prefix(while: { $0 != 0 }))
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

    /// A name from a header as text that is safe to print: invalid UTF-8 and control
    /// characters become `?`.
    static func printable(_ bytes: some Collection<UInt8>) -> String {
        String(String(decoding: bytes, as: UTF8.self).unicodeScalars.map { (scalar) -> Character in
            scalar.properties.generalCategory == .control || scalar == "\u{FFFD}" ? "?" : Character(scalar)
        })
    }
}

extension TarArchive {
    /// The archive as ustar bytes, names over 100 bytes carried in GNU `L` entries.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries {
            out += Self.header(path: entry.path, size: entry.isDirectory ? 0 : entry.contents.count, isDirectory: entry.isDirectory)
            if !entry.isDirectory { out += entry.contents + Self.padding(entry.contents.count) }
        }
        return out + Self.end
    }

    /// The two zero blocks that end an archive.
    static let end = [UInt8](repeating: 0, count: 1024)

    /// Zero bytes that fill an entry of `count` bytes up to the next 512-byte block.
    static func padding(_ count: Int) -> [UInt8] { [UInt8](repeating: 0, count: (512 - count % 512) % 512) }

    /// The header block(s) of one entry: a GNU `././@LongLink` entry first when the path is over
    /// 100 bytes, then the ustar header.
    static func header(path: String, size: Int, isDirectory: Bool) -> [UInt8] {
        var out: [UInt8] = []
        if path.utf8.count > 100 {
            let long = Array(path.utf8) + [0]
            out += block(name: "././@LongLink", size: long.count, type: UInt8(ascii: "L")) + long + padding(long.count)
        }
        return out + block(name: path, size: size, type: isDirectory ? UInt8(ascii: "5") : UInt8(ascii: "0"))
    }

    private static func block(name: String, size: Int, type: UInt8) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        let nameBytes = Array(name.utf8.prefix(100))
        h.replaceSubrange(0..<nameBytes.count, with: nameBytes)
        func octal(_ value: Int, _ offset: Int, _ length: Int) {
            let text = Array(String(value, radix: 8).utf8)
            let padded = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, length - 1 - text.count)) + text
            h.replaceSubrange(offset..<offset + padded.count, with: padded)
        }
        octal(type == UInt8(ascii: "5") ? 0o755 : 0o644, 100, 8)
        octal(0, 108, 8)
        octal(0, 116, 8)
        if size < 0o77777777777 {
            octal(size, 124, 12)
        } else {
            // star/GNU base-256 for sizes of 8 GiB and more.
            h[124] = 0x80
            for k in 0..<8 { h[135 - k] = UInt8(truncatingIfNeeded: size >> (8 * k)) }
        }
        octal(0, 136, 12)
        h[156] = type
        h.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
        h.replaceSubrange(263..<265, with: Array("00".utf8))
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int($1) }
        octal(sum, 148, 7)
        h[155] = 0x20
        return h
    }
}
