import Columnar
import Foundation
@testable import Pinot
import Testing
import TestSupport

/// `ingest-worker segment create` and `segment dump`, run as a process.
@Suite("ingest-worker segment commands")
struct SegmentCLITests {
    /// `ingest-worker ARGS`, standard output and standard error together in `output`.
    static func run(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(Repository.workerBinary, arguments, mergingStandardError: true)
    }

    @Test("segment create --format json on a golden case gives Pinot's rows", .enabled(if: PinotSegmentCorpus.present))
    func fromJSON() throws {
        try withTemporaryFolder("seg") { folder in
            let dir = PinotSegmentCorpus.root + "/generated/multi-value"
            let out = folder + "/out"
            let result = try Self.run(["segment", "create", "--format", "json", "--input", dir + "/input.jsonl", "--schema", dir + "/schema.json",
                                       "--table-config", dir + "/table-config.json", "--out", out])
            #expect(result.status == 0, "\(result.output)")
            let path = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(path.contains("/multi_value_") && path.hasSuffix(".tar.gz"), "\(path)")
            let reader = try SegmentReader(tarball: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), name: path)
            let expected = try JSONFixtures.lines([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/expected.jsonl"))))
            let columns = try reader.columns()
            #expect(expected.enumerated().allSatisfy { doc, row in row.allSatisfy { matches(columns[$0.key]![doc], $0.value) } })
            let dump = try Self.run(["segment", "dump", path, "--rows"])
            #expect(dump.status == 0)
            #expect(dump.output.split(separator: "\n").filter { $0.hasPrefix("{") }.count == expected.count)
            #expect(dump.output.contains("creation.meta: CRC"))
        }
    }

    @Test("segment create from Parquet derives the schema and keeps the values")
    func fromParquet() throws {
        try withTemporaryFolder("seg") { folder in
            let out = folder + "/out"
            let result = try Self.run(["segment", "create", "--input", Repository.samples + "/orders.parquet", "--time-column", "ts",
                                       "--no-dictionary", "city", "--tar-compression", "zstd", "--out", out])
            #expect(result.status == 0, "\(result.output)")
            let path = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(path.hasSuffix(".tar.zst"), "zstd tarballs are named as Pinot names them: \(path)")
            let reader = try SegmentReader(tarball: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), name: path)
            #expect(reader.metadata.totalDocs == 12)
            #expect(reader.metadata.timeColumn == "ts")
            #expect(reader.metadata.columns.first { $0.name == "city" }?.hasDictionary == false)
            let columns = try reader.columns()
            #expect(columns["order_id"]?.first == .int(1000))
            #expect(columns["city"]?.prefix(4) == [.string("Lisbon"), .string("Oslo"), .string("Kyoto"), .string("Lima")])
            #expect(columns["tags"]?[1] == .null, "an empty list is a null row")
            #expect(columns["discount"]?[0] == .null)
            let missing = try Self.run(["segment", "create", "--input", "/nonexistent.parquet", "--out", out])
            #expect(missing.status != 0)
            #expect(missing.output.contains("/nonexistent.parquet"))
        }
    }

    @Test("bad input from the command line: exit 1, an error naming the file and the place, nothing written")
    func badInput() throws {
        try withTemporaryFolder("bad") { folder in
            let dir = folder
            func write(_ name: String, _ text: String) throws -> String {
                try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
                return dir + "/" + name
            }
            let negative = try write("negative.json", #"{"schemaName": "t", "dimensionFieldSpecs": [{"name": "s", "dataType": "STRING", "maxLength": -1}]}"#)
            let huge = try write("huge.json", #"{"schemaName": "t", "dimensionFieldSpecs": [{"name": "s", "dataType": "STRING", "maxLength": 99999999999999999999}]}"#)
            let doubles = try write("doubles.json", #"{"schemaName": "t", "metricFieldSpecs": [{"name": "a", "dataType": "DOUBLE"}]}"#)
            let realtime = try write("realtime.json", #"{"tableName": "t", "tableType": "REALTIME"}"#)
            let codec = try write("codec.json", #"{"tableName": "t", "fieldConfigList": [{"name": "city", "compressionCodec": "BROTLI"}]}"#)
            let hex = try write("hex.jsonl", "{\"a\": 1.5}\n{\"a\": 0x1F}\n")
            let empty = try write("empty.jsonl", "")
            let orders = Repository.samples + "/orders.parquet"
            let out = dir + "/out"
            let cases: [(arguments: [String], expected: [String])] = [
                (["--format", "json", "--input", hex, "--schema", negative], ["maxLength -1 is negative", "negative.json"]),
                (["--format", "json", "--input", hex, "--schema", huge], ["maxLength", "Java's int range", "huge.json", "column s"]),
                (["--format", "json", "--input", hex, "--schema", doubles], ["line 2", "hex.jsonl", "0x1F"]),
                (["--format", "json", "--input", empty, "--schema", doubles], ["no rows", "empty.jsonl"]),
                (["--input", orders, "--time-column", "nope"], ["nope"]),
                (["--input", orders, "--no-dictionary", "nope"], ["noDictionaryColumns", "nope"]),
                (["--input", orders, "--table", "../../evil"], ["../../evil", "not a valid Pinot table name"]),
                (["--input", orders, "--table-config", realtime], ["REALTIME", "realtime.json"]),
                (["--input", orders, "--table-config", codec], ["BROTLI", "codec.json", "city"]),
            ]
            for (arguments, expected) in cases {
                let result = try Self.run(["segment", "create"] + arguments + ["--out", out])
                #expect(result.status == 1, "\(arguments): \(result.output)")
                for text in expected { #expect(result.output.contains(text), "\(arguments): \(result.output)") }
                #expect(!FileManager.default.fileExists(atPath: out), "\(arguments) left \(out) behind")
                #expect(!FileManager.default.fileExists(atPath: dir + "/../evil"))
            }
            let version = try Self.run(["--version"])
            #expect(version.status == 0)
            #expect(version.output.hasPrefix("ingest-worker "))
        }
    }

    @Test("the corpus file with blank space in its column names is refused naming the column and the file", .enabled(if: PinotSegmentCorpus.present))
    func blankColumnNames() throws {
        try withTemporaryFolder("blank") { folder in
            let input = PinotSegmentCorpus.root + "/../parquet-testing/unknown-logical-type.parquet"
            let out = folder + "/out"
            let result = try Self.run(["segment", "create", "--input", input, "--out", out])
            #expect(result.status == 1)
            #expect(result.output.contains("\"column with known type\"") && result.output.contains("unknown-logical-type.parquet"), "\(result.output)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test("segment dump refuses a segment whose files do not match its CRC, unless --ignore-crc")
    func crcMismatch() throws {
        try withTemporaryFolder("crc") { folder in
            let dir = folder + "/segments"
            let created = try Self.run(["segment", "create", "--input", Repository.samples + "/orders.parquet", "--out", dir])
            #expect(created.status == 0, "\(created.output)")
            let tarball = [UInt8](try Data(contentsOf: URL(fileURLWithPath: created.output.trimmingCharacters(in: .whitespacesAndNewlines))))
            let folder = dir + "/unpacked"
            for entry in try TarArchive.read(tarball).entries {
                let path = folder + "/" + entry.path
                if entry.isDirectory { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true); continue }
                var contents = entry.contents
                if entry.path.hasSuffix("columns.psf") { contents[contents.count - 1] ^= 0x01 }
                try Data(contents).write(to: URL(fileURLWithPath: path))
            }
            let segment = folder + "/" + (try TarArchive.read(tarball).entries[0].path)
            let refused = try Self.run(["segment", "dump", segment, "--rows"])
            #expect(refused.status == 1)
            #expect(refused.output.contains("does NOT match") && refused.output.contains("checksumMismatch") && !refused.output.contains("{\""), "\(refused.output)")
            let forensic = try Self.run(["segment", "dump", segment, "--ignore-crc"])
            #expect(forensic.status == 0, "\(forensic.output)")
        }
    }
}
