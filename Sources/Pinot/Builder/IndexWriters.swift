import Codecs

/// Big-endian byte output.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    @inline(__always)
    mutating func int32(_ v: Int32) {
        withUnsafeBytes(of: UInt32(bitPattern: v).bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func int64(_ v: Int64) {
        withUnsafeBytes(of: UInt64(bitPattern: v).bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func littleInt32(_ v: Int32) {
        withUnsafeBytes(of: UInt32(bitPattern: v).littleEndian) { bytes.append(contentsOf: $0) }
    }

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

/// Big-endian (MSB-first) bit packing, as Pinot's `PinotDataBitSet` (spec §5.3): values are
/// gathered in a 64-bit accumulator and stored 32 bits at a time.
enum BitPacking {
    /// Packs the low `bits` bits (1…32) of each value into exactly ⌈count × bits / 8⌉ bytes.
    static func pack(_ values: UnsafeBufferPointer<UInt32>, bits: Int) -> [UInt8] {
        precondition(bits >= 1 && bits <= 32, "1 to 32 bits per value")
        let byteCount = (values.count * bits + 7) / 8
        var out = [UInt8](repeating: 0, count: byteCount)
        out.withUnsafeMutableBytes { dst in
            let mask: UInt64 = bits == 32 ? 0xFFFF_FFFF : (1 << UInt64(bits)) - 1
            let shift = UInt64(bits)
            var accumulator: UInt64 = 0
            var pending = 0
            var position = 0
            for value in values {
                accumulator = accumulator &<< shift | (UInt64(value) & mask)
                pending += bits
                if pending >= 32 {
                    pending -= 32
                    dst.storeBytes(of: UInt32(truncatingIfNeeded: accumulator &>> UInt64(pending)).bigEndian, toByteOffset: position, as: UInt32.self)
                    position += 4
                }
            }
            if pending > 0 {
                let word = UInt32(truncatingIfNeeded: accumulator &<< UInt64(32 - pending))
                for k in 0..<((pending + 7) / 8) { dst[position + k] = UInt8(truncatingIfNeeded: word >> UInt32(24 - 8 * k)) }
            }
        }
        return out
    }
}

enum IndexWriters {
    /// bits(cardinality − 1), at least 1 (spec §5.3).
    static func bitsPerElement(_ cardinality: Int) -> Int {
        cardinality <= 2 ? 1 : Int.bitWidth - (cardinality - 1).leadingZeroBitCount
    }

    /// Sorted SV forward index (spec §5.2): (first doc, last doc) per dictionary id, from ids in
    /// non-decreasing order where every id occurs, generated from the runs when written.
    static func sortedForward(_ ids: [UInt32], cardinality: Int) -> IndexBuffer {
        .generated(size: cardinality * 8) { (sink) throws(SegmentError) in
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            var filled = 0
            var written = 0
            var doc = 0
            func flush() throws(SegmentError) {
                try chunk.withBytes { (raw) throws(SegmentError) in try sink(UnsafeRawBufferPointer(rebasing: raw[0..<filled])) }
                filled = 0
            }
            while doc < ids.count && written < cardinality {
                var end = doc + 1
                while end < ids.count && ids[end] == ids[doc] { end += 1 }
                chunk.withUnsafeMutableBytes { out in
                    out.storeBytes(of: UInt32(doc).bigEndian, toByteOffset: filled, as: UInt32.self)
                    out.storeBytes(of: UInt32(end - 1).bigEndian, toByteOffset: filled + 4, as: UInt32.self)
                }
                filled += 8
                written += 1
                if filled == chunk.count { try flush() }
                doc = end
            }
            if filled > 0 { try flush() }
            guard written == cardinality else { throw SegmentError(.invalidValue, "a sorted column's ids skip a dictionary id") }
        }
    }

    /// Fixed-bit SV forward index (spec §5.3).
    static func fixedBitForward(_ ids: [UInt32], bits: Int) -> [UInt8] {
        ids.withUnsafeBufferPointer { BitPacking.pack($0, bits: bits) }
    }

    /// Fixed-bit MV forward index (spec §5.4): chunk offsets, the row-start bitmap, packed ids.
    static func fixedBitMultiValue(entries: [UInt32], rowStarts: [UInt32], bits: Int) -> [UInt8] {
        let rows = rowStarts.count - 1
        let total = entries.count
        let average = max(total / max(rows, 1), 1)
        let docsPerChunk = (2048 + average - 1) / average
        var writer = ByteWriter(capacity: 4 * (rows / docsPerChunk + 1) + (total + 7) / 8 + (total * bits + 7) / 8)
        var doc = 0
        while doc < rows {
            writer.int32(Int32(rowStarts[doc]))
            doc += docsPerChunk
        }
        var starts = [UInt8](repeating: 0, count: (total + 7) / 8)
        for row in 0..<rows where rowStarts[row] < rowStarts[row + 1] {
            let index = Int(rowStarts[row])
            starts[index >> 3] |= 0x80 >> UInt8(index & 7)
        }
        writer.bytes += starts
        writer.bytes += entries.withUnsafeBufferPointer { BitPacking.pack($0, bits: bits) }
        return writer.bytes
    }

    /// Bitmap inverted index (spec §5.5): offsets, then one portable Roaring bitmap of docs per
    /// id, built by a counting sort of the ids (a doc counts once per id).
    /// - Throws: `.invalidValue` when the bitmaps pass the 2 GiB its int offsets address.
    static func invertedIndex(entries: [UInt32], rowStarts: [UInt32]?, cardinality: Int, column: String) throws(SegmentError) -> [UInt8] {
        var counts = [Int](repeating: 0, count: cardinality + 1)
        func eachPair(_ body: (_ doc: UInt32, _ id: Int) -> Void) {
            guard let rowStarts else {
                for (doc, id) in entries.enumerated() { body(UInt32(doc), Int(id)) }
                return
            }
            var seen = [UInt32](repeating: .max, count: cardinality)
            for row in 0..<(rowStarts.count - 1) {
                for index in Int(rowStarts[row])..<Int(rowStarts[row + 1]) {
                    let id = Int(entries[index])
                    if seen[id] == UInt32(row) { continue }
                    seen[id] = UInt32(row)
                    body(UInt32(row), id)
                }
            }
        }
        eachPair { _, id in counts[id + 1] += 1 }
        for id in 0..<cardinality { counts[id + 1] += counts[id] }
        var cursor = counts
        var docs = [UInt32](repeating: 0, count: counts[cardinality])
        eachPair { doc, id in
            docs[cursor[id]] = doc
            cursor[id] += 1
        }
        var bitmaps = ByteWriter(capacity: docs.count * 2 + cardinality * 16)
        var offsets = ByteWriter(capacity: 4 * (cardinality + 1))
        let base = 4 * (cardinality + 1)
        docs.withUnsafeBufferPointer { all in
            for id in 0..<cardinality {
                offsets.int32(Int32(truncatingIfNeeded: base + bitmaps.bytes.count))
                RoaringWriter.serialize(UnsafeBufferPointer(rebasing: all[counts[id]..<counts[id + 1]]), into: &bitmaps.bytes)
            }
        }
        guard let end = Int32(exactly: base + bitmaps.bytes.count) else {
            throw SegmentError(.invalidValue, "the inverted index would take more than 2 GiB, past what its int offsets address: drop the inverted index or seal smaller segments", column: column)
        }
        offsets.int32(end)
        return offsets.bytes + bitmaps.bytes
    }

    /// Compresses a chunk with Pinot's chunk compression code (spec §8).
    static func compress(_ chunk: UnsafeRawBufferPointer, code: Int32) throws(SegmentError) -> [UInt8] {
        do {
            switch code {
            case 0: return Array(chunk)
            case 1: return try Compressor.compress(.snappy, chunk)
            case 2: return try Compressor.compress(.zstd, chunk)
            case 3: return try Compressor.compress(.lz4Raw, chunk)
            case 4:
                var writer = ByteWriter()
                writer.littleInt32(Int32(chunk.count))
                return writer.bytes + (try Compressor.compress(.lz4Raw, chunk))
            default: throw SegmentError(.unsupported, "chunk compression code \(code)")
            }
        } catch let error as SegmentError {
            throw error
        } catch {
            throw SegmentError(.invalidValue, "compression failed: \(error)")
        }
    }

    static func compress(_ chunk: [UInt8], code: Int32) throws(SegmentError) -> [UInt8] {
        try chunk.withBytes { (raw) throws(SegmentError) in try compress(raw, code: code) }
    }

    /// Raw fixed-width SV forward index, version 4 (spec §8.1): chunks of 1024 big-endian values.
    static func rawFixed(count: Int, width: Int, code: Int32, value: (Int) -> UInt64) throws(SegmentError) -> [UInt8] {
        let docsPerChunk = 1024
        let chunks = (count + docsPerChunk - 1) / docsPerChunk
        var compressed: [UInt8] = []
        var offsets: [Int] = []
        var chunk = ByteWriter(capacity: docsPerChunk * width)
        for index in 0..<chunks {
            chunk.bytes.removeAll(keepingCapacity: true)
            for doc in (index * docsPerChunk)..<min(count, (index + 1) * docsPerChunk) {
                if width == 4 { chunk.int32(Int32(truncatingIfNeeded: value(doc))) } else { chunk.int64(Int64(bitPattern: value(doc))) }
            }
            offsets.append(compressed.count)
            compressed += try compress(chunk.bytes, code: code)
        }
        var header = ByteWriter(capacity: 28 + 8 * chunks)
        for v in [4, chunks, docsPerChunk, width, count, Int(code), 28] { header.int32(Int32(v)) }
        for offset in offsets { header.int64(Int64(28 + 8 * chunks + offset)) }
        return header.bytes + compressed
    }
}

/// Raw var-width forward index, version 4 (spec §8.2): chunks of little-endian row tables, a
/// row too large for a chunk stored alone as a "huge" chunk. Rows are appended one at a time.
struct RawVariableChunkWriter {
    let targetChunkSize: Int
    /// LZ4 is recorded as LZ4_LENGTH_PREFIXED (4).
    let storedCode: Int32
    private var entries: [(firstDoc: Int32, offset: UInt32)] = []
    private var data: [UInt8] = []
    private var pending: [UInt8] = []
    private var pendingLengths: [Int] = []
    private var pendingFirst = 0
    private var nextDoc = 0

    init(targetChunkSize: Int, code: Int32) {
        self.targetChunkSize = targetChunkSize
        storedCode = code == 3 ? 4 : code
    }

    private var pendingSize: Int { 4 + 4 * pendingLengths.count + pending.count }

    mutating func append(_ row: UnsafeRawBufferPointer) throws(SegmentError) {
        let doc = nextDoc
        nextDoc += 1
        if 4 + row.count > targetChunkSize - 4 {
            try flush()
            try addChunk(firstDoc: Int32(truncatingIfNeeded: doc) | Int32.min, try IndexWriters.compress(row, code: storedCode))
            pendingFirst = doc + 1
            return
        }
        if pendingSize + 4 + row.count > targetChunkSize { try flush() }
        if pendingLengths.isEmpty { pendingFirst = doc }
        pending.append(contentsOf: row)
        pendingLengths.append(row.count)
    }

    mutating func append(_ row: [UInt8]) throws(SegmentError) {
        try row.withBytes { (raw) throws(SegmentError) in try append(raw) }
    }

    private mutating func addChunk(firstDoc: Int32, _ compressed: [UInt8]) throws(SegmentError) {
        guard let offset = UInt32(exactly: data.count) else {
            throw SegmentError(.invalidValue, "a raw forward index passed 4 GiB of chunk data")
        }
        entries.append((firstDoc, offset))
        data += compressed
    }

    private mutating func flush() throws(SegmentError) {
        guard !pendingLengths.isEmpty else { return }
        var chunk = ByteWriter(capacity: pendingSize)
        chunk.littleInt32(Int32(pendingLengths.count))
        var offset = 4 + 4 * pendingLengths.count
        for length in pendingLengths {
            chunk.littleInt32(Int32(offset))
            offset += length
        }
        chunk.bytes += pending
        try addChunk(firstDoc: Int32(pendingFirst), try IndexWriters.compress(chunk.bytes, code: storedCode))
        pending.removeAll(keepingCapacity: true)
        pendingLengths.removeAll(keepingCapacity: true)
    }

    mutating func finish() throws(SegmentError) -> [UInt8] {
        try flush()
        var writer = ByteWriter(capacity: 16 + 8 * entries.count + data.count)
        writer.int32(4)
        writer.int32(Int32(targetChunkSize))
        writer.int32(storedCode)
        writer.int32(Int32(16 + 8 * entries.count))
        for entry in entries {
            writer.littleInt32(entry.firstDoc)
            writer.littleInt32(Int32(bitPattern: entry.offset))
        }
        writer.bytes += data
        return writer.bytes
    }
}

/// RoaringBitmap's portable serialization with array and bitmap containers (cookie 12346).
enum RoaringWriter {
    static func serialize(_ sorted: [UInt32]) -> [UInt8] {
        var out: [UInt8] = []
        sorted.withUnsafeBufferPointer { serialize($0, into: &out) }
        return out
    }

    /// Appends the serialization of ascending `sorted` to `out`.
    static func serialize(_ sorted: UnsafeBufferPointer<UInt32>, into out: inout [UInt8]) {
        // Container boundaries: runs of equal high 16 bits.
        var keys: [UInt16] = []
        var starts: [Int] = []
        for (index, value) in sorted.enumerated() where keys.last != UInt16(value >> 16) || starts.isEmpty {
            keys.append(UInt16(value >> 16))
            starts.append(index)
        }
        starts.append(sorted.count)
        @inline(__always) func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        @inline(__always) func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        le32(12346)
        le32(UInt32(keys.count))
        for (i, key) in keys.enumerated() {
            le16(key)
            le16(UInt16(starts[i + 1] - starts[i] - 1))
        }
        var offset = 8 + 8 * keys.count
        for i in keys.indices {
            le32(UInt32(offset))
            let cardinality = starts[i + 1] - starts[i]
            offset += cardinality > 4096 ? 8192 : 2 * cardinality
        }
        for i in keys.indices {
            let values = UnsafeBufferPointer(rebasing: sorted[starts[i]..<starts[i + 1]])
            if values.count > 4096 {
                var words = [UInt64](repeating: 0, count: 1024)
                for v in values { words[Int(v & 0xFFFF) >> 6] |= 1 << UInt64(v & 63) }
                for word in words { withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) } }
            } else {
                for v in values { le16(UInt16(truncatingIfNeeded: v)) }
            }
        }
    }
}
