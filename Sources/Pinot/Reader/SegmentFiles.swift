/// The index buffers of a segment, by column and index id, from either layout (spec §1, §4): v3
/// (`v3/index_map` + `v3/columns.psf`, each entry behind the magic marker) or v1 (one file per
/// column and index).
struct SegmentFiles {
    static let magic: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0xDE, 0xAF, 0xBE, 0xAD]
    static let v1Names: [(suffix: String, index: String)] = [
        (".dict", "dictionary"), (".sv.sorted.fwd", "forward_index"), (".sv.unsorted.fwd", "forward_index"),
        (".mv.fwd", "forward_index"), (".sv.raw.fwd", "forward_index"), (".mv.raw.fwd", "forward_index"),
        (".bitmap.inv", "inverted_index"), (".bitmap.nullvalue", "nullvalue_vector"),
    ]

    var buffers: [String: ArraySlice<UInt8>] = [:]
    var metadataText: String
    var creationMeta: [UInt8]?
    /// Every regular file by path relative to the segment directory (for the CRC).
    var files: [String: [UInt8]]

    /// - Parameter files: path relative to the segment directory → contents.
    init(files: [String: [UInt8]], segment: String) throws(SegmentError) {
        self.files = files
        let v3 = files["v3/metadata.properties"] != nil
        let prefix = v3 ? "v3/" : ""
        guard let metadata = files[prefix + "metadata.properties"] else {
            throw SegmentError(.corrupt, "no metadata.properties", segment: segment)
        }
        metadataText = String(decoding: metadata, as: UTF8.self)
        creationMeta = files[prefix + "creation.meta"]
        if v3 {
            guard let map = files["v3/index_map"], let psf = files["v3/columns.psf"] else {
                throw SegmentError(.corrupt, "a v3 segment without index_map or columns.psf", segment: segment)
            }
            let properties = JavaProperties(text: String(decoding: map, as: UTF8.self))
            for (key, value) in properties.values where key.hasSuffix(".startOffset") {
                let entry = String(key.dropLast(".startOffset".count))
                guard let start = Int(value), let size = properties[entry + ".size"].flatMap(Int.init) else {
                    throw SegmentError(.corrupt, "index_map entry \(entry) lacks a size", segment: segment)
                }
                guard start >= 0, size >= 8, start <= psf.count - size else {
                    throw SegmentError(.corrupt, "index_map entry \(entry) (\(start), \(size)) lies outside columns.psf (\(psf.count) bytes)", segment: segment)
                }
                guard Array(psf[start..<start + 8]) == Self.magic else {
                    throw SegmentError(.corrupt, "no magic marker at offset \(start) of columns.psf for \(entry): possibly corrupted", segment: segment)
                }
                buffers[entry] = psf[(start + 8)..<(start + size)]
            }
        } else {
            for (path, contents) in files where !path.contains("/") {
                for (suffix, index) in Self.v1Names where path.hasSuffix(suffix) {
                    buffers[String(path.dropLast(suffix.count)) + "." + index] = contents[...]
                }
            }
        }
    }

    func buffer(_ column: String, _ index: String) -> ArraySlice<UInt8>? { buffers[column + "." + index] }
}

/// Big-endian reads from a buffer slice, bounds-checked.
struct BigEndianReader {
    let bytes: ArraySlice<UInt8>
    let context: String

    func check(_ offset: Int, _ count: Int) throws(SegmentError) {
        guard offset >= 0, count >= 0, offset <= bytes.count - count else {
            throw SegmentError(.corrupt, "\(context): \(count) bytes at offset \(offset) lie outside its \(bytes.count) bytes")
        }
    }

    func int32(_ offset: Int) throws(SegmentError) -> Int32 {
        try check(offset, 4)
        let b = bytes.startIndex + offset
        return Int32(bitPattern: UInt32(bytes[b]) << 24 | UInt32(bytes[b + 1]) << 16 | UInt32(bytes[b + 2]) << 8 | UInt32(bytes[b + 3]))
    }

    func int64(_ offset: Int) throws(SegmentError) -> Int64 {
        try check(offset, 8)
        let high = UInt64(UInt32(bitPattern: try int32(offset)))
        let low = UInt64(UInt32(bitPattern: try int32(offset + 4)))
        return Int64(bitPattern: high << 32 | low)
    }

    func littleInt32(_ offset: Int) throws(SegmentError) -> Int32 {
        try check(offset, 4)
        let b = bytes.startIndex + offset
        return Int32(bitPattern: UInt32(bytes[b]) | UInt32(bytes[b + 1]) << 8 | UInt32(bytes[b + 2]) << 16 | UInt32(bytes[b + 3]) << 24)
    }

    func slice(_ offset: Int, _ count: Int) throws(SegmentError) -> ArraySlice<UInt8> {
        try check(offset, count)
        return bytes[(bytes.startIndex + offset)..<(bytes.startIndex + offset + count)]
    }

    /// The value of `count` big-endian bits starting at bit `bit` (MSB first).
    func bits(_ bit: Int, _ count: Int) throws(SegmentError) -> Int {
        try check(bit / 8, (bit % 8 + count + 7) / 8)
        var value = 0
        for i in 0..<count {
            let position = bit + i
            let byte = bytes[bytes.startIndex + position / 8]
            value = value << 1 | Int((byte >> UInt8(7 - position % 8)) & 1)
        }
        return value
    }
}
