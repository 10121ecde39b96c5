import Codecs
import Columnar
import Foundation
@testable import Pinot
import Testing

/// Segments, tarballs, table configs and JSON lines that lie: each is refused with an error that
/// names the place, and nothing traps or allocates what a count claims before checking it.
@Suite("Pinot: hostile input")
struct HostileInputTests {
    static let schema = PinotSchema(schemaName: "events", fields: [
        PinotFieldSpec(name: "id", dataType: .long, role: .dimension),
        PinotFieldSpec(name: "city", dataType: .string, role: .dimension),
        PinotFieldSpec(name: "tags", dataType: .string, role: .dimension, singleValue: false),
    ])

    /// A small valid segment's files: `id` is sorted, `city` dictionary-encoded, `tags` multi-value.
    static func files() throws -> [String: [UInt8]] {
        let builder = try SegmentBuilder(schema: schema, table: TableConfig(tableName: "events"))
        for (i, city) in ["Oslo", "Rome", "Oslo"].enumerated() {
            try builder.add(row: ["id": .int(Int64(i)), "city": .string(city), "tags": .list([.string("a"), .string("b\(i)")])])
        }
        return try builder.build(name: "events_hostile").files
    }

    /// `files` with one line of metadata.properties replaced.
    static func withMetadata(_ files: [String: [UInt8]], _ key: String, _ value: String) -> [String: [UInt8]] {
        var copy = files
        let text = String(decoding: files["v3/metadata.properties"]!, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = lines.firstIndex { $0.hasPrefix(key + " = ") }!
        lines[index] = key + " = " + value
        copy["v3/metadata.properties"] = Array(lines.joined(separator: "\n").utf8)
        return copy
    }

    @Test("counts and sizes outside a Java int are refused naming the key", arguments: [
        "column.city.cardinality", "column.tags.totalNumberOfEntries", "column.tags.maxNumberOfMultiValues",
        "column.city.bitsPerElement", "column.city.lengthOfEachEntry", "column.id.totalDocs", "segment.total.docs",
    ])
    func counts(key: String) throws {
        let files = try Self.files()
        for value in ["-9223372036854775808", "-1", "1000000000000", "nine"] where !(value == "-1" && key.hasSuffix("bitsPerElement")) {
            let error = #expect(throws: SegmentError.self) { try SegmentReader(files: Self.withMetadata(files, key, value), name: "s") }
            #expect(error?.code == .corrupt)
            #expect(error?.description.contains(key.hasPrefix("segment.") ? key : String(key.split(separator: ".").last!)) == true, "\(error!)")
        }
    }

    @Test("a segment claiming more docs than its indexes hold is refused, not allocated")
    func claimedDocs() throws {
        let files = try Self.files()
        for docs in ["4", "2147483647"] {
            let reader = try SegmentReader(files: Self.withMetadata(files, "segment.total.docs", docs), name: "s")
            let error = #expect(throws: SegmentError.self) { try reader.columns(maxDocs: Int(Int32.max)) }
            #expect(error?.code == .corrupt, "\(error!)")
        }
        let huge = try SegmentReader(files: Self.withMetadata(files, "segment.total.docs", "2147483647"), name: "s")
        let error = #expect(throws: SegmentError.self) { try huge.columns() }
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("2147483647 docs") == true)
        let wide = try SegmentReader(files: Self.withMetadata(files, "column.city.cardinality", "2147483647"), name: "s")
        #expect(throws: SegmentError.self) { try wide.columns() }
    }

    @Test("column names with separators, comment marks and backslashes read back")
    func escapedNames() throws {
        let names = ["c:d", "e=f", "#g", "h!i\\j"]
        let schema = PinotSchema(schemaName: "odd", fields: names.map { PinotFieldSpec(name: $0, dataType: .string, role: .dimension) })
        let builder = try SegmentBuilder(schema: schema, table: TableConfig(tableName: "odd"))
        try builder.add(row: Dictionary(uniqueKeysWithValues: names.map { ($0, Value.string("v-" + $0)) }))
        let built = try builder.build(name: "odd_1")
        let columns = try SegmentReader(tarball: try built.tarball(), name: "odd_1").columns()
        for name in names { #expect(columns[name] == [.string("v-" + name)], "\(name)") }
    }

    @Test("blank space and control characters in column names are refused, as Pinot does")
    func blankNames() {
        for name in ["a b", "tab\there", "", "new\nline"] {
            let schema = PinotSchema(schemaName: "s", fields: [PinotFieldSpec(name: name, dataType: .int, role: .dimension)])
            let error = #expect(throws: SegmentError.self) { try SegmentBuilder(schema: schema, table: TableConfig(tableName: "s")) }
            #expect(error?.code == .invalidSchema)
        }
    }

    @Test("a builder without rows refuses to seal, saying so")
    func noRows() throws {
        let builder = try SegmentBuilder(schema: Self.schema, table: TableConfig(tableName: "events"))
        let error = #expect(throws: SegmentError.self) { try builder.build() }
        #expect(error?.message.contains("at least one row") == true)
    }

    @Test("tarballs: not a tar, a decompression bomb, binary names")
    func tarballs() throws {
        var random = SystemRandomNumberGenerator()
        let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        let error = #expect(throws: SegmentError.self) { try SegmentReader(tarball: noise, name: "noise.tar.gz") }
        #expect(error?.message.contains("not a tar") == true)
        #expect(error?.segment == "noise.tar.gz")

        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        let bomb = try zeros.withUnsafeBytes { try Compressor.compress(.gzip, $0) }
        let refused = #expect(throws: SegmentError.self) { try TarArchive.read(bomb, limits: DecompressionLimits(maxOutputBytes: 1 << 20)) }
        #expect(refused?.message.contains("decompression bomb") == true)
        #expect(TarArchive.limits(compressedBytes: 4_200_000).maxOutputBytes == 512 << 20)
        #expect(TarArchive.limits(compressedBytes: 100 << 20).maxOutputBytes == 6400 << 20)
        #expect(TarArchive.limits(compressedBytes: 1 << 30).maxOutputBytes == 8 << 30)

        var header = TarArchive.header(path: "seg/x", size: 1 << 20, isDirectory: false)
        header.replaceSubrange(0..<5, with: [0x01, 0xFF, 0x1B, 0x41, 0x00])
        for i in 148..<156 { header[i] = 0x20 }
        let sum = header.reduce(0) { $0 + Int($1) }
        header.replaceSubrange(148..<155, with: Array(String(format: "%06o\0", sum).utf8))
        let named = #expect(throws: SegmentError.self) { try TarArchive.parse(header + [UInt8](repeating: 7, count: 512)) }
        #expect(named?.message.contains("???A") == true, "\(named!)")
        #expect(named?.message.unicodeScalars.allSatisfy { $0.properties.generalCategory != .control } == true)
    }

    @Test("table configs: REALTIME, unknown codecs and chunk sizes out of range are refused; Pinot's sizes read")
    func tableConfigs() throws {
        func parse(_ text: String) throws(SegmentError) -> TableConfig { try TableConfig.parse(Array(text.utf8)) }
        #expect(throws: SegmentError.self) { try parse(#"{"tableName": "t", "tableType": "REALTIME"}"#) }
        #expect(throws: SegmentError.self) { try parse(#"{"tableName": "t_REALTIME"}"#) }
        #expect(throws: SegmentError.self) { try parse(#"{"schemaName": 5}"#) }
        for codec in [#""BROTLI""#, "7"] {
            let error = #expect(throws: SegmentError.self) {
                try parse(#"{"tableName": "t", "fieldConfigList": [{"name": "a", "compressionCodec": \#(codec)}]}"#)
            }
            #expect(error?.column == "a")
        }
        for size in [#""4G""#, #""99999999999G""#, #""-5""#, #""0""#, #""lots""#, "1024"] {
            let error = #expect(throws: SegmentError.self) {
                try parse(#"{"tableName": "t", "fieldConfigList": [{"name": "a", "indexes": {"forward": {"targetMaxChunkSize": \#(size)}}}]}"#)
            }
            #expect(error?.message.contains("targetMaxChunkSize") == true)
        }
        let config = try parse(#"{"tableName": "t_OFFLINE", "tableType": "OFFLINE", "fieldConfigList": [{"name": "a", "compressionCodec": "ZSTANDARD", "indexes": {"forward": {"targetMaxChunkSize": "1MB"}}}, {"name": "b", "indexes": {"forward": {"targetMaxChunkSize": "64k"}}}]}"#)
        #expect(config.tableName == "t")
        #expect(config.compression["a"] == 2)
        #expect(config.targetChunkSize == ["a": 1 << 20, "b": 64 << 10])
    }

    @Test("JSON lines are JSON: no hex, NaN, bare words or overflowing numbers; strings convert only as decimal text")
    func jsonLines() throws {
        let schema = PinotSchema(schemaName: "j", fields: [
            PinotFieldSpec(name: "a", dataType: .double, role: .metric), PinotFieldSpec(name: "n", dataType: .long, role: .dimension),
        ])
        for line in [#"{"a": 0x1F}"#, #"{"a": NaN}"#, #"{"a": nope}"#, #"{"a": 1.}"#, #"{"a": 01}"#, #"{"a": +1}"#] {
            let error = #expect(throws: SegmentError.self) { try JSONRows.parse(line: line, lineNumber: 3, schema: schema) }
            #expect(error?.message.contains("line 3") == true, "\(line)")
        }
        let overflow = #expect(throws: SegmentError.self) { try JSONRows.parse(line: #"{"a": 1e999}"#, lineNumber: 1, schema: schema) }
        #expect(overflow?.column == "a")
        #expect(try JSONRows.parse(line: #"{"a": -0.5e3, "n": 7}"#, lineNumber: 1, schema: schema) == ["a": .double(-500), "n": .int(7)])
        for text in ["0x10", "inf", "nan", "1_000", " 1"] {
            let builder = try SegmentBuilder(schema: schema, table: TableConfig(tableName: "j"))
            #expect(throws: SegmentError.self, "\(text)") { try builder.add(row: ["a": .string(text)]) }
            #expect(throws: SegmentError.self, "\(text)") { try builder.add(row: ["n": .string(text)]) }
        }
        let builder = try SegmentBuilder(schema: schema, table: TableConfig(tableName: "j"))
        try builder.add(row: ["a": .string("1.5e2"), "n": .string("-12")])
        let columns = try SegmentReader(tarball: try builder.build(name: "j_1").tarball(), name: "j").columns()
        #expect(columns["a"] == [.double(150)])
        #expect(columns["n"] == [.int(-12)])
    }
}
