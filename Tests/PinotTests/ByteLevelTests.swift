import Foundation
@testable import Pinot
import Testing

/// Byte layouts from the spec, against hand-computed vectors.
@Suite("Pinot byte layouts")
struct ByteLevelTests {
    @Test("fixed-bit packing is MSB first at every width 1…32", arguments: Array(1...32))
    func bitPacking(bits: Int) throws {
        let mask = bits == 64 ? -1 : (1 << bits) - 1
        let values = [0, 1, mask, mask >> 1, 0x5A5A_5A5A & mask, 3 & mask]
        let packed = IndexWriters.fixedBitForward(values.map { UInt32(truncatingIfNeeded: $0) }, bits: bits)
        #expect(packed.count == (values.count * bits + 7) / 8)
        // Hand-computed: concatenate each value's bits, most significant first, pad with zeros.
        var bitString = values.map { value in (0..<bits).reversed().map { value >> $0 & 1 == 1 ? "1" : "0" }.joined() }.joined()
        bitString += String(repeating: "0", count: packed.count * 8 - bitString.count)
        let expected = stride(from: 0, to: bitString.count, by: 8).map { start -> UInt8 in
            let byte = bitString.dropFirst(start).prefix(8)
            return UInt8(byte, radix: 2)!
        }
        #expect(packed == expected)
        let reader = BigEndianReader(bytes: packed[...], context: "t")
        for (i, value) in values.enumerated() { #expect(try reader.bits(i * bits, bits) == value) }
    }

    @Test("bits per element: 1 up to cardinality 2, then the bit length of cardinality − 1")
    func bitsPerElement() {
        #expect([1, 2, 3, 4, 5, 8, 9, 256, 257, 65_536, 65_537].map(IndexWriters.bitsPerElement) == [1, 1, 2, 2, 3, 3, 4, 8, 9, 16, 17])
    }

    @Test("multi-value chunking uses integer division: avg = T / n, docsPerChunk = ceil(2048 / avg)")
    func multiValueChunks() throws {
        // 3 docs with 5 entries: avg = 1 (not 1.67), docsPerChunk = 2048, one chunk at offset 0.
        let rows = [[0, 1], [2], [3, 0]]
        let bytes = Self.multiValue(rows, bits: 2)
        let reader = BigEndianReader(bytes: bytes[...], context: "mv")
        #expect(try reader.int32(0) == 0)
        // Row-start bitmap: entries 0, 2, 3 start rows → 1011 0000.
        #expect(bytes[4] == 0b1011_0000)
        // Values 0,1,2,3,0 at 2 bits: 00 01 10 11 | 00 → 0x1B, 0x00.
        #expect(Array(bytes[5...]) == [0x1B, 0x00])
        // 5,000 docs of 3 entries: avg 3, docsPerChunk = 683, 8 chunks.
        let many = [[Int]](repeating: [0, 0, 0], count: 5_000)
        let big = BigEndianReader(bytes: Self.multiValue(many, bits: 1)[...], context: "mv")
        #expect(try big.int32(4) == 683 * 3)
        #expect(try big.int32(28) == 7 * 683 * 3)
    }

    static func multiValue(_ rows: [[Int]], bits: Int) -> [UInt8] {
        var starts: [UInt32] = [0]
        for row in rows { starts.append(starts.last! + UInt32(row.count)) }
        return IndexWriters.fixedBitMultiValue(entries: rows.flatMap { $0.map(UInt32.init) }, rowStarts: starts, bits: bits)
    }

    @Test("Roaring: empty, array, bitmap sets serialise and read back", arguments: [0, 1, 100, 4096, 4097, 70_000])
    func roaring(cardinality: Int) throws {
        let values = (0..<cardinality).map { UInt32($0 * 3) }
        let bytes = RoaringWriter.serialize(values)
        #expect(Array(bytes.prefix(4)) == [0x3A, 0x30, 0, 0], "cookie 12346, little-endian")
        #expect(try RoaringBitmap.decode(bytes[...]) == values)
    }

    @Test("Roaring run containers (cookie 12347) as Pinot writes them read back")
    func roaringRuns() throws {
        // One container, key 0, a run container: [10…14] and [100…100].
        var bytes: [UInt8] = [0x3B, 0x30, 0x00, 0x00]   // 12347, (count − 1) = 0
        bytes += [0x01]                                   // container 0 is a run
        bytes += [0x00, 0x00, 0x05, 0x00]                 // key 0, cardinality − 1 = 5
        bytes += [0x02, 0x00, 10, 0, 4, 0, 100, 0, 0, 0]  // 2 runs: (10, len−1 4), (100, 0)
        #expect(try RoaringBitmap.decode(bytes[...]) == [10, 11, 12, 13, 14, 100])
    }

    @Test("Adler-32 over the files in Java path order")
    func adler() {
        var a = Adler32()
        a.update(Array("Wikipedia".utf8))
        #expect(a.value == 0x11E6_0398)
        let files: [String: [UInt8]] = ["v3/metadata.properties": [3], "v3/columns.psf": [1], "v3/index_map": [2], "v3/creation.meta": [9]]
        var ordered = Adler32()
        ordered.update([1]); ordered.update([2]); ordered.update([3])
        #expect(SegmentReader.segmentCRC(files) == ordered.value)
    }

    @Test("metadata escaping: commas, edge spaces, non-ASCII, backslashes")
    func escaping() {
        #expect(MetadataWriter.escapeValue(MetadataWriter.guardString(" ,min")) == "\\u0000 \\u0000\\u0000min")
        #expect(MetadataWriter.escapeValue(MetadataWriter.guardString("p ")) == "p \\u0000")
        #expect(MetadataWriter.escapeValue("！fullwidth") == "\\uFF01fullwidth")
        #expect(MetadataWriter.escapeValue("a\\b\tc") == "a\\\\b\\tc")
        #expect(MetadataWriter.escapeValue("x,y") == "x\\,y")
        #expect(MetadataWriter.escapeKey("a b=c") == "a\\ b\\=c")
        let properties = JavaProperties(text: "column.c.minValue = \\u0000 \\u0000\\u0000min\nk = x\\,y\n")
        #expect(properties["column.c.minValue"] == "\u{0} \u{0}\u{0}min")
        #expect(properties["k"] == "x,y")
    }
}
