/// A minimal Thrift compact writer and single-column Parquet file builder, used only to craft
/// deliberately broken files (lying sizes, bad indices, garbled headers). Valid data for the
/// conformance tests always comes from other writers.
struct CompactWriter {
    var bytes: [UInt8] = []
    private var lastField: [Int16] = [0]

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func fieldHeader(_ id: Int16, _ type: UInt8) {
        let delta = id - lastField[lastField.count - 1]
        if delta > 0 && delta <= 15 { bytes.append(UInt8(delta) << 4 | type) } else { bytes.append(type); zigzag(Int64(id)) }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) { fieldHeader(id, 5); zigzag(Int64(value)) }
    mutating func i64(_ id: Int16, _ value: Int64) { fieldHeader(id, 6); zigzag(value) }
    mutating func binary(_ id: Int16, _ value: [UInt8]) { fieldHeader(id, 8); varint(UInt64(value.count)); bytes += value }
    mutating func string(_ id: Int16, _ value: String) { binary(id, Array(value.utf8)) }

    mutating func beginStruct(_ id: Int16) { fieldHeader(id, 12); lastField.append(0) }
    mutating func endStruct() { bytes.append(0); lastField.removeLast() }
    /// A list of structs; `element` writes each struct's fields.
    mutating func structList(_ id: Int16, count: Int, _ element: (inout CompactWriter, Int) -> Void) {
        fieldHeader(id, 9)
        if count < 15 { bytes.append(UInt8(count) << 4 | 12) } else { bytes.append(0xf0 | 12); varint(UInt64(count)) }
        for i in 0..<count {
            lastField.append(0)
            element(&self, i)
            endStruct()
        }
    }
    mutating func i32List(_ id: Int16, _ values: [Int32]) {
        fieldHeader(id, 9)
        bytes.append(UInt8(values.count) << 4 | 5)
        for v in values { zigzag(Int64(v)) }
    }
    mutating func stringList(_ id: Int16, _ values: [String]) {
        fieldHeader(id, 9)
        bytes.append(UInt8(values.count) << 4 | 8)
        for v in values { varint(UInt64(v.utf8.count)); bytes += Array(v.utf8) }
    }
    mutating func stop() { bytes.append(0) }
}

/// One page of a crafted column chunk.
struct CraftedPage {
    enum Kind { case dictionary, dataV1 }
    var kind: Kind
    var numValues: Int32
    var encoding: Int32
    var body: [UInt8]
    var declaredUncompressed: Int32?
    var declaredCompressed: Int32?
    var crc: Int32?

    func encoded() -> [UInt8] {
        var w = CompactWriter()
        w.i32(1, kind == .dictionary ? 2 : 0)
        w.i32(2, declaredUncompressed ?? Int32(body.count))
        w.i32(3, declaredCompressed ?? Int32(body.count))
        if let crc { w.i32(4, crc) }
        if kind == .dictionary {
            w.beginStruct(7); w.i32(1, numValues); w.i32(2, encoding); w.endStruct()
        } else {
            w.beginStruct(5); w.i32(1, numValues); w.i32(2, encoding); w.i32(3, 3); w.i32(4, 3); w.endStruct()
        }
        w.stop()
        return w.bytes + body
    }
}

/// A file with one required INT32 column `v` in one row group, built from crafted pages.
func craftedInt32File(pages: [CraftedPage], rows: Int64, codec: Int32 = 0, numValues: Int64? = nil) -> [UInt8] {
    var file = Array("PAR1".utf8)
    let chunkStart = file.count
    for page in pages { file += page.encoded() }
    let chunkSize = Int64(file.count - chunkStart)
    let hasDictionary = pages.first?.kind == .dictionary
    var w = CompactWriter()
    w.i32(1, 1)
    w.structList(2, count: 2) { w, i in
        if i == 0 { w.string(4, "schema"); w.i32(5, 1) } else { w.i32(1, 1); w.i32(3, 0); w.string(4, "v") }
    }
    w.i64(3, rows)
    w.structList(4, count: 1) { w, _ in
        w.structList(1, count: 1) { w, _ in
            w.i64(2, Int64(chunkStart))
            w.beginStruct(3)
            w.i32(1, 1)
            w.i32List(2, [0, 3])
            w.stringList(3, ["v"])
            w.i32(4, codec)
            w.i64(5, numValues ?? rows)
            w.i64(6, chunkSize)
            w.i64(7, chunkSize)
            w.i64(9, Int64(chunkStart))
            if hasDictionary { w.i64(11, Int64(chunkStart)) }
            w.endStruct()
        }
        w.i64(2, chunkSize)
        w.i64(3, rows)
    }
    w.stop()
    let footer = w.bytes
    file += footer
    let length = UInt32(footer.count)
    file += [UInt8(length & 0xff), UInt8(length >> 8 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 24)]
    file += Array("PAR1".utf8)
    return file
}

func plainInt32(_ values: [Int32]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
}
