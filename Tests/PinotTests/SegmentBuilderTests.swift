import Columnar
import Foundation
@testable import Pinot
import Testing
import TestSupport

/// The builder against Pinot's golden segments: building from each case's input, schema and
/// table config gives rows equal to Pinot's, and the same dictionaries and dictionary-encoded
/// forward indexes byte for byte.
@Suite("Pinot segment builder")
struct SegmentBuilderTests {
    static let golden = SegmentReaderTests.corpus + "/generated"

    static func build(_ case_: String, tableConfig: String = "table-config.json") throws -> (BuiltSegment, SegmentReader) {
        let dir = golden + "/" + case_
        let schema = try PinotSchema.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/schema.json"))))
        let table = try TableConfig.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + tableConfig))))
        let builder = try SegmentBuilder(schema: schema, table: table)
        let input = try String(contentsOfFile: dir + "/input.jsonl", encoding: .utf8)
        for (number, line) in input.split(separator: "\n").enumerated() {
            try builder.add(row: try JSONRows.parse(line: String(line), lineNumber: number + 1, schema: schema))
        }
        let pinotTar = try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".tar.gz") && (tableConfig == "table-config.json" || $0.contains(tableConfig.dropFirst("table-config-".count).dropLast(".json".count).lowercased())) }!
        let pinot = try SegmentReader(tarball: [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + pinotTar))), name: pinotTar)
        return (try builder.build(name: pinot.metadata.name), pinot)
    }

    /// Every key and value of metadata.properties, creation time and build version aside.
    static func compareMetadata(_ ours: SegmentReader, _ pinot: SegmentReader, _ label: String) {
        let ignored: Set<String> = ["segment.creation.time", "creator.version"]
        let theirs = pinot.metadata.properties.values.filter { !ignored.contains($0.key) }
        let mine = ours.metadata.properties.values.filter { !ignored.contains($0.key) }
        for key in Set(theirs.keys).union(mine.keys).sorted() where theirs[key] != mine[key] {
            Issue.record("\(label) metadata \(key): ours \(mine[key] ?? "absent"), Pinot's \(theirs[key] ?? "absent")")
        }
    }

    @Test("rows, metadata and dictionary/forward bytes equal Pinot's", .enabled(if: SegmentReaderTests.present),
          arguments: ["all-types-sv", "multi-value", "inverted-and-time"])
    func golden(case_: String) throws {
        let (built, pinot) = try Self.build(case_)
        let ours = try SegmentReader(files: built.files, name: built.name)
        #expect(ours.crcMatches == true)
        let expected = try SegmentReaderTests.lines([UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.golden + "/" + case_ + "/expected.jsonl"))))
        let columns = try ours.columns()
        var problems: [String] = []
        for (doc, row) in expected.enumerated() where problems.count < 8 {
            for (column, want) in row where !matches(columns[column]![doc], want) {
                problems.append("doc \(doc) \(column): \(columns[column]![doc].jsonText) != \(want)")
            }
        }
        #expect(problems.isEmpty, Comment(rawValue: problems.joined(separator: "\n")))
        #expect(expected.count == ours.metadata.totalDocs && expected.count > 100)
        #expect(pinot.metadata.columns.count >= 5 && ours.metadata.columns.count == pinot.metadata.columns.count)
        for column in pinot.metadata.columns {
            for index in ["dictionary", "forward_index"] {
                let theirs = pinot.files.buffer(column.name, index)
                let mine = ours.files.buffer(column.name, index)
                #expect(theirs.map(Array.init) == mine.map(Array.init), "\(case_) \(column.name).\(index) differs")
            }
            for key in ["cardinality", "isSorted", "bitsPerElement", "lengthOfEachEntry", "totalNumberOfEntries", "maxNumberOfMultiValues",
                        "minValue", "maxValue", "defaultNullValue", "hasDictionary", "columnType", "dataType"] {
                let name = "column.\(column.name).\(key)"
                #expect(ours.metadata.properties[name] == pinot.metadata.properties[name], "\(name): \(ours.metadata.properties[name] ?? "nil") vs \(pinot.metadata.properties[name] ?? "nil")")
            }
        }
        Self.compareMetadata(ours, pinot, case_)
    }
}

extension SegmentBuilderTests {
    @Test("raw columns: rows equal Pinot's and raw chunks decompress to the same bytes", .enabled(if: SegmentReaderTests.present),
          arguments: ["PASS_THROUGH", "SNAPPY", "ZSTANDARD", "LZ4"])
    func rawColumns(codec: String) throws {
        let (built, pinot) = try Self.build("raw-columns", tableConfig: "table-config-\(codec).json")
        let ours = try SegmentReader(files: built.files, name: built.name)
        Self.compareMetadata(ours, pinot, "raw-columns \(codec)")
        let expected = try SegmentReaderTests.lines([UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.golden + "/raw-columns/expected.jsonl"))))
        let columns = try ours.columns()
        var problems: [String] = []
        for (doc, row) in expected.enumerated() where problems.count < 8 {
            for (column, want) in row where !matches(columns[column]![doc], want) {
                problems.append("doc \(doc) \(column): \(columns[column]![doc].jsonText.prefix(80)) != \(String(describing: want).prefix(80))")
            }
        }
        #expect(problems.isEmpty, Comment(rawValue: problems.joined(separator: "\n")))
        for column in pinot.metadata.columns where !column.hasDictionary {
            let index = RawForwardIndex(column: column, totalDocs: pinot.metadata.totalDocs, context: column.name)
            let theirs = try index.decompressedChunks(pinot.files.buffer(column.name, "forward_index")!)
            let mine = try index.decompressedChunks(ours.files.buffer(column.name, "forward_index")!)
            #expect(theirs == mine, "\(codec) \(column.name): \(theirs.count) chunks vs \(mine.count)")
            for key in ["cardinality", "bitsPerElement", "lengthOfLongestElement", "maxRowLengthInBytes", "totalNumberOfEntries", "minValue", "maxValue"] {
                let name = "column.\(column.name).\(key)"
                #expect(ours.metadata.properties[name] == pinot.metadata.properties[name], "\(name)")
            }
        }
    }
}

extension SegmentBuilderTests {
    @Test("the 200,000-row case: rows and dictionary/forward bytes equal Pinot's", .enabled(if: SegmentReaderTests.present))
    func large() throws {
        let dir = Self.golden + "/large"
        let schema = try PinotSchema.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/schema.json"))))
        let table = try TableConfig.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/table-config.json"))))
        let input = try SegmentReaderTests.gunzip([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/input.jsonl.gz"))))
        let builder = try SegmentBuilder(schema: schema, table: table)
        var number = 0
        for line in input.split(separator: UInt8(ascii: "\n")) {
            number += 1
            try builder.add(row: try JSONRows.parse(line: String(decoding: line, as: UTF8.self), lineNumber: number, schema: schema))
        }
        let tarball = try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".tar.gz") }!
        let pinot = try SegmentReader(tarball: [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + tarball))), name: tarball)
        let built = try builder.build()
        #expect(built.name == pinot.metadata.name)
        let ours = try SegmentReader(files: built.files, name: built.name)
        Self.compareMetadata(ours, pinot, "large")
        for column in pinot.metadata.columns {
            for index in ["dictionary", "forward_index"] {
                #expect(pinot.files.buffer(column.name, index).map(Array.init) == ours.files.buffer(column.name, index).map(Array.init),
                        "\(column.name).\(index)")
            }
        }
        let expected = try SegmentReaderTests.lines(input)
        let columns = try ours.columns()
        #expect(expected.count == 200_000)
        #expect(expected.enumerated().allSatisfy { doc, row in row.allSatisfy { matches(columns[$0.key]![doc], $0.value) } })
    }
}
