import Codecs

/// Big-endian byte output.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func int32(_ v: Int32) { let u = UInt32(bitPattern: v); bytes += [UInt8(u >> 24), UInt8(u >> 16 & 0xff), UInt8(u >> 8 & 0xff), UInt8(u & 0xff)] }
    mutating func int64(_ v: Int64) { int32(Int32(truncatingIfNeeded: v >> 32)); int32(Int32(truncatingIfNeeded: v)) }
    mutating func littleInt32(_ v: Int32) { let u = UInt32(bitPattern: v); bytes += [UInt8(u & 0xff), UInt8(u >> 8 & 0xff), UInt8(u >> 16 & 0xff), UInt8(u >> 24)] }

    mutating func cell(_ cell: StoredCell) {
        switch cell {
        case .int(let v): int32(v)
        case .long(let v): int64(v)
        case .float(let bits): int32(Int32(bitPattern: bits))
        case .double(let bits): int64(Int64(bitPattern: bits))
        case .bytes(let b): bytes += b
        }
    }
}

/// Big-endian (MSB-first) bit packing, as Pinot's `PinotDataBitSet` (spec §5.3).
struct BitWriter {
    private var buffer: [UInt8]
    private var position = 0
    private var accumulator: UInt64 = 0
    private var pending = 0

    init(totalBits: Int) { buffer = [UInt8](repeating: 0, count: (totalBits + 7) / 8) }

    /// Appends the low `bits` bits of `value` (at most 32), most significant first.
    mutating func write(_ value: Int, bits: Int) {
        accumulator = accumulator << UInt64(bits) | (UInt64(truncatingIfNeeded: value) & ((1 << UInt64(bits)) - 1))
        pending += bits
        while pending >= 8 {
            pending -= 8
            buffer[position] = UInt8(truncatingIfNeeded: accumulator >> UInt64(pending))
            position += 1
        }
    }

    /// The packed bytes, the last one padded with zero bits.
    var bytes: [UInt8] {
        var result = buffer
        if pending > 0 { result[position] = UInt8(truncatingIfNeeded: accumulator << UInt64(8 - pending)) }
        return result
    }
}

enum IndexWriters {
    /// bits(cardinality − 1), at least 1 (spec §5.3).
    static func bitsPerElement(_ cardinality: Int) -> Int {
        cardinality <= 2 ? 1 : Int.bitWidth - (cardinality - 1).leadingZeroBitCount
    }

    /// The dictionary (spec §5.1): fixed-width numbers, NUL-padded fixed-width strings, fixed or
    /// var-length bytes and BIG_DECIMAL.
    static func dictionary(_ entries: [StoredCell], type: PinotDataType) -> (bytes: [UInt8], width: Int) {
        var writer = ByteWriter()
        switch type {
        case .int, .long, .float, .double, .boolean, .timestamp:
            for entry in entries { writer.cell(entry) }
            return (writer.bytes, 0)
        default:
            let values: [[UInt8]] = entries.map { cell -> [UInt8] in
                if case .bytes(let b) = cell { return b }
                return []
            }
            let width = values.map(\.count).max() ?? 0
            let uniform = values.allSatisfy { $0.count == width }
            if type == .string || type == .json || uniform {
                for value in values { writer.bytes += value + [UInt8](repeating: 0, count: width - value.count) }
                return (writer.bytes, width)
            }
            writer.bytes += Array(".vl;".utf8)
            writer.int32(1)
            writer.int32(Int32(values.count))
            writer.int32(16)
            var offset = 16 + 4 * (values.count + 1)
            for value in values {
                writer.int32(Int32(offset))
                offset += value.count
            }
            writer.int32(Int32(offset))
            for value in values { writer.bytes += value }
            return (writer.bytes, width)
        }
    }

    /// Sorted SV forward index: (first doc, last doc) per dictionary id (spec §5.2).
    static func sortedForward(_ ids: [Int], cardinality: Int) -> [UInt8] {
        var first = [Int](repeating: -1, count: cardinality)
        var last = [Int](repeating: -1, count: cardinality)
        for (doc, id) in ids.enumerated() {
            if first[id] < 0 { first[id] = doc }
            last[id] = doc
        }
        var writer = ByteWriter()
        for id in 0..<cardinality {
            writer.int32(Int32(first[id]))
            writer.int32(Int32(last[id]))
        }
        return writer.bytes
    }

    /// Fixed-bit SV forward index (spec §5.3).
    static func fixedBitForward(_ ids: [Int], bits: Int) -> [UInt8] {
        var writer = BitWriter(totalBits: ids.count * bits)
        for id in ids { writer.write(id, bits: bits) }
        return writer.bytes
    }

    /// Fixed-bit MV forward index: chunk offsets, row-start bitmap, packed ids (spec §5.4).
    static func fixedBitMultiValue(_ rows: [[Int]], bits: Int) -> [UInt8] {
        let total = rows.reduce(0) { $0 + $1.count }
        let average = max(total / max(rows.count, 1), 1)
        let docsPerChunk = (2048 + average - 1) / average
        let chunks = (rows.count + docsPerChunk - 1) / docsPerChunk
        var writer = ByteWriter()
        var starts = BitWriter(totalBits: total)
        var values = BitWriter(totalBits: total * bits)
        var index = 0
        var chunkOffsets: [Int] = []
        for (doc, row) in rows.enumerated() {
            if doc % docsPerChunk == 0 { chunkOffsets.append(index) }
            for (i, id) in row.enumerated() {
                starts.write(i == 0 ? 1 : 0, bits: 1)
                values.write(id, bits: bits)
                index += 1
            }
        }
        precondition(chunkOffsets.count == chunks, "one offset per chunk")
        for offset in chunkOffsets { writer.int32(Int32(offset)) }
        return writer.bytes + starts.bytes + values.bytes
    }

    /// Bitmap inverted index: offsets then one portable Roaring bitmap per id (spec §5.5).
    static func invertedIndex(_ rows: [[Int]], cardinality: Int) -> [UInt8] {
        var docs = [[UInt32]](repeating: [], count: cardinality)
        for (doc, row) in rows.enumerated() {
            for id in Set(row) { docs[id].append(UInt32(doc)) }
        }
        let bitmaps = docs.map { RoaringWriter.serialize($0) }
        var writer = ByteWriter()
        var offset = 4 * (cardinality + 1)
        for bitmap in bitmaps {
            writer.int32(Int32(offset))
            offset += bitmap.count
        }
        writer.int32(Int32(offset))
        for bitmap in bitmaps { writer.bytes += bitmap }
        return writer.bytes
    }

    /// Compresses a chunk with Pinot's chunk compression code (spec §8).
    static func compress(_ chunk: [UInt8], code: Int32) throws(SegmentError) -> [UInt8] {
        do {
            switch code {
            case 0: return chunk
            case 1: return try chunk.withUnsafeBytes { (raw) throws(CodecError) in try Compressor.compress(.snappy, raw) }
            case 2: return try chunk.withUnsafeBytes { (raw) throws(CodecError) in try Compressor.compress(.zstd, raw) }
            case 3: return try chunk.withUnsafeBytes { (raw) throws(CodecError) in try Compressor.compress(.lz4Raw, raw) }
            case 4:
                var writer = ByteWriter()
                writer.littleInt32(Int32(chunk.count))
                return writer.bytes + (try chunk.withUnsafeBytes { (raw) throws(CodecError) in try Compressor.compress(.lz4Raw, raw) })
            default: throw SegmentError(.unsupported, "chunk compression code \(code)")
            }
        } catch let error as SegmentError {
            throw error
        } catch {
            throw SegmentError(.invalidValue, "compression failed: \(error)")
        }
    }

    /// Raw fixed-width SV forward index, version 4: power-of-two chunks of big-endian values (spec §8.1).
    static func rawFixed(_ cells: [StoredCell], width: Int, code: Int32) throws(SegmentError) -> [UInt8] {
        let docsPerChunk = 1024
        let chunks = (cells.count + docsPerChunk - 1) / docsPerChunk
        var compressed: [[UInt8]] = []
        for chunk in 0..<chunks {
            var writer = ByteWriter()
            for cell in cells[(chunk * docsPerChunk)..<min(cells.count, (chunk + 1) * docsPerChunk)] { writer.cell(cell) }
            compressed.append(try compress(writer.bytes, code: code))
        }
        var header = ByteWriter()
        for v in [4, chunks, docsPerChunk, width, cells.count, Int(code), 28] { header.int32(Int32(v)) }
        var offset = 28 + 8 * chunks
        for chunk in compressed {
            header.int64(Int64(offset))
            offset += chunk.count
        }
        return header.bytes + compressed.flatMap { $0 }
    }

    /// Raw var-width forward index, version 4: chunks of little-endian row tables (spec §8.2).
    static func rawVariable(_ rows: [[UInt8]], targetChunkSize: Int, code: Int32) throws(SegmentError) -> [UInt8] {
        let storedCode: Int32 = code == 3 ? 4 : code
        var entries: [(firstDoc: Int32, data: [UInt8])] = []
        var pending: [[UInt8]] = []
        var pendingSize = 4
        var pendingFirst = 0
        func flush() throws(SegmentError) {
            guard !pending.isEmpty else { return }
            var writer = ByteWriter()
            writer.littleInt32(Int32(pending.count))
            var offset = 4 + 4 * pending.count
            for row in pending {
                writer.littleInt32(Int32(offset))
                offset += row.count
            }
            for row in pending { writer.bytes += row }
            entries.append((Int32(pendingFirst), try compress(writer.bytes, code: storedCode)))
            pending = []
            pendingSize = 4
        }
        for (doc, row) in rows.enumerated() {
            if 4 + row.count > targetChunkSize - 4 {
                try flush()
                entries.append((Int32(doc) | Int32.min, try compress(row, code: storedCode)))
                pendingFirst = doc + 1
                continue
            }
            if pendingSize + 4 + row.count > targetChunkSize { try flush() }
            if pending.isEmpty { pendingFirst = doc }
            pending.append(row)
            pendingSize += 4 + row.count
        }
        try flush()
        var writer = ByteWriter()
        writer.int32(4)
        writer.int32(Int32(targetChunkSize))
        writer.int32(storedCode)
        writer.int32(Int32(16 + 8 * entries.count))
        var offset: UInt32 = 0
        for entry in entries {
            writer.littleInt32(entry.firstDoc)
            writer.littleInt32(Int32(bitPattern: offset))
            offset += UInt32(entry.data.count)
        }
        return writer.bytes + entries.flatMap(\.data)
    }
}

/// RoaringBitmap's portable serialization with array and bitmap containers (cookie 12346).
enum RoaringWriter {
    static func serialize(_ sorted: [UInt32]) -> [UInt8] {
        var groups: [(key: UInt16, values: [UInt16])] = []
        for value in sorted {
            let key = UInt16(value >> 16)
            if groups.last?.key != key { groups.append((key, [])) }
            groups[groups.count - 1].values.append(UInt16(value & 0xffff))
        }
        var out: [UInt8] = []
        func le32(_ v: UInt32) { out += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }
        func le16(_ v: UInt16) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
        le32(12346)
        le32(UInt32(groups.count))
        for group in groups {
            le16(group.key)
            le16(UInt16(group.values.count - 1))
        }
        var offset = 8 + 8 * groups.count
        for group in groups {
            le32(UInt32(offset))
            offset += group.values.count > 4096 ? 8192 : 2 * group.values.count
        }
        for group in groups {
            if group.values.count > 4096 {
                var words = [UInt64](repeating: 0, count: 1024)
                for v in group.values { words[Int(v) / 64] |= 1 << UInt64(v % 64) }
                for word in words { for b in 0..<8 { out.append(UInt8(word >> UInt64(8 * b) & 0xff)) } }
            } else {
                for v in group.values { le16(v) }
            }
        }
        return out
    }
}
