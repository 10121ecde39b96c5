import Columnar
import Foundation
@testable import Pinot
import Testing

@Suite("Pinot segment packaging and rules")
struct SegmentPackagingTests {
    static let schema = PinotSchema(schemaName: "events", fields: [
        PinotFieldSpec(name: "id", dataType: .long, role: .dimension),
        PinotFieldSpec(name: "ts", dataType: .timestamp, role: .dateTime, format: "1:MILLISECONDS:EPOCH", granularity: "1:MILLISECONDS"),
        PinotFieldSpec(name: "score", dataType: .double, role: .metric),
        PinotFieldSpec(name: "tags", dataType: .string, role: .dimension, singleValue: false),
        PinotFieldSpec(name: "name", dataType: .string, role: .dimension, maxLength: 4),
        PinotFieldSpec(name: "price", dataType: .bigDecimal, role: .metric),
        PinotFieldSpec(name: "doc", dataType: .json, role: .dimension),
    ])

    func build(_ rows: [[String: Value]]) throws -> SegmentReader {
        let builder = try SegmentBuilder(schema: Self.schema, table: TableConfig(tableName: "events", timeColumn: "ts"))
        for row in rows { try builder.add(row: row) }
        let built = try builder.build()
        return try SegmentReader(tarball: try built.tarball(), name: built.name)
    }

    @Test("Pinot's value rules: NaN is null, -0.0 is 0.0, MV nulls dropped, empty MV null, strings cut, decimals stripped, JSON compact")
    func valueRules() throws {
        let reader = try build([
            ["id": .int(1), "ts": .int(1_700_000_000_000), "score": .double(.nan), "tags": .list([.string("a"), .null, .string("b")]),
             "name": .string("abcdefgh"), "price": .decimal(unscaled: 123_4500, scale: 4), "doc": .json(#"{"z": 1, "a": [1, 2.0]}"#)],
            ["id": .int(2), "ts": .int(1_700_000_000_001), "score": .double(-0.0), "tags": .list([]),
             "name": .null, "price": .decimal(unscaled: 0, scale: 3), "doc": .null],
            ["id": .int(3), "ts": .int(1_700_000_000_002), "score": .double(2.5), "tags": .null, "price": .string("1E+3")],
        ])
        let columns = try reader.columns()
        #expect(columns["score"] == [.null, .double(0), .double(2.5)])
        #expect(columns["tags"]?[0] == .list([.string("a"), .string("b")]))
        #expect(columns["tags"]?[1] == .null)
        #expect(columns["tags"]?[2] == .null)
        #expect(columns["name"]?[0] == .string("abcd"))
        #expect(columns["price"]?[0] == .decimal(unscaled: 12345, scale: 2))
        #expect(columns["price"]?[1] == .decimal(unscaled: 0, scale: 0))
        #expect(columns["price"]?[2] == .decimal(unscaled: 1, scale: -3))
        #expect(columns["doc"]?[0] == .json(#"{"a":[1,2.0],"z":1}"#))
        #expect(reader.metadata.timeColumn == "ts")
        #expect(reader.metadata.startTime == 1_700_000_000_000)
        #expect(reader.metadata.endTime == 1_700_000_000_002)
        #expect(reader.metadata.name == "events_1700000000000_1700000000002_0")
        #expect(reader.crcMatches == true)
    }

    @Test("time values outside 1971–2071 are refused before push")
    func timeRange() throws {
        let builder = try SegmentBuilder(schema: Self.schema, table: TableConfig(tableName: "events", timeColumn: "ts"))
        try builder.add(row: ["id": .int(1), "ts": .int(5_000)])
        let error = #expect(throws: SegmentError.self) { _ = try builder.build() }
        #expect(error?.code == .invalidValue)
        #expect(error?.column == "ts")
    }

    @Test("tarball layout: the segment directory first, then v3/; zstd tarballs read back; metadata bundle")
    func tarballs() throws {
        let builder = try SegmentBuilder(schema: Self.schema, table: TableConfig(tableName: "events", timeColumn: "ts"))
        try builder.add(row: ["id": .int(1), "ts": .int(1_700_000_000_000)])
        let built = try builder.build(name: "events_seg")
        let archive = try TarArchive.read(try built.tarball())
        #expect(archive.entries.map(\.path) == ["events_seg/", "events_seg/v3/", "events_seg/v3/columns.psf", "events_seg/v3/creation.meta",
                                                "events_seg/v3/index_map", "events_seg/v3/metadata.properties"])
        let zstd = try built.tarball(zstd: true)
        #expect(zstd.starts(with: [0x28, 0xB5, 0x2F, 0xFD]))
        #expect(try SegmentReader(tarball: zstd, name: "z").metadata.totalDocs == 1)
        let bundle = try TarArchive.read(try built.metadataBundle())
        #expect(bundle.entries.map(\.path) == ["events_seg/", "events_seg/creation.meta", "events_seg/metadata.properties"])
        #expect(bundle.entries[1].contents == built.files["v3/creation.meta"])
    }

    @Test("Java number and decimal text")
    func javaText() {
        #expect(JavaText.floating(1.0e10) == "1.0E10")
        #expect(JavaText.floating(0.001) == "0.001")
        #expect(JavaText.floating(0.0001) == "1.0E-4")
        #expect(JavaText.floating(1234567.0) == "1234567.0")
        #expect(JavaText.floating(Float(3.4028235e38)) == "3.4028235E38")
        #expect(JavaText.floating(-812.0) == "-812.0")
        #expect(JavaText.bigDecimal(unscaled: 1, scale: -10) == "1E+10")
        #expect(JavaText.bigDecimal(unscaled: 1, scale: 21) == "1E-21")
        #expect(JavaText.bigDecimal(unscaled: 93396982, scale: 2) == "933969.82")
    }
}

extension SegmentPackagingTests {
    @Test("string order on UTF-8 bytes equals Java's UTF-16 order")
    func utf16Order() {
        let alphabet: [String] = ["a", "b", "z", "é", "ü", "\u{E000}", "\u{FF01}", "\u{FFFD}", "😀", "𝄞", "\u{10FFFF}", "", " "]
        var state: UInt64 = 42
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        var strings: [String] = []
        for _ in 0..<300 { strings.append((0..<(next() % 4)).map { _ in alphabet[next() % alphabet.count] }.joined()) }
        for a in strings {
            for b in strings.prefix(60) {
                let java = Array(a.utf16).lexicographicallyPrecedes(Array(b.utf16))
                #expect(CellOrder.utf16Less(Array(a.utf8)[...], Array(b.utf8)[...]) == java, "\(a) < \(b)")
            }
        }
    }
}

extension SegmentPackagingTests {
    @Test("without a table config, long mostly-distinct strings are stored raw; short or repeated ones keep a dictionary")
    func dictionaryHeuristic() throws {
        let schema = PinotSchema(schemaName: "h", fields: [
            PinotFieldSpec(name: "uuidish", dataType: .string, role: .dimension),
            PinotFieldSpec(name: "city", dataType: .string, role: .dimension),
            PinotFieldSpec(name: "code", dataType: .string, role: .dimension),
        ])
        var table = TableConfig(tableName: "h")
        table.dictionaryHeuristic = true
        let builder = try SegmentBuilder(schema: schema, table: table)
        for i in 0..<200 {
            try builder.add(row: ["uuidish": .string("row-\(i)-" + String(repeating: "x", count: 40)),
                                  "city": .string(["Oslo", "Lima"][i % 2]), "code": .string("c\(i)")])
        }
        let reader = try SegmentReader(files: try builder.build(name: "h").files, name: "h")
        #expect(reader.metadata.columns.first { $0.name == "uuidish" }?.hasDictionary == false)
        #expect(reader.metadata.columns.first { $0.name == "city" }?.hasDictionary == true)
        #expect(reader.metadata.columns.first { $0.name == "code" }?.hasDictionary == true)
        #expect(try reader.columns()["uuidish"]?[3] == .string("row-3-" + String(repeating: "x", count: 40)))
    }
}
