import Engine
import Foundation
import Logging
import Service
import Testing
import TestSupport

/// `GET /tasks/{name}/snapshots/{id}/files` on tables Spark wrote with row-level deletes
/// (`Tests/Fixtures/spark`): after a run at every commit, the answer names the snapshot's data
/// files and the delete files applied to its segments, and the rows the deletes removed add up
/// to Spark's own count of the table's rows.
@Suite("service: a snapshot's data and delete files", .serialized)
struct SnapshotFilesTests {
    static let fixtures = Repository.root + "/Tests/Fixtures/spark/tables"

    /// Each metadata version with a snapshot, and Spark's row count at it.
    static func versions(_ table: String) throws -> [(version: Int, rows: Int)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(table)/expected.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (document["versions"] as? [[String: Any]] ?? []).compactMap { version in
            guard version["snapshotId"] is NSNumber, let number = version["version"] as? Int else { return nil }
            return (number, (version["rows"] as? [Any] ?? []).count)
        }
    }

    @Test("position deletes, deletion vectors and equality deletes: each named with its segments and the rows it removed",
          arguments: ["mor_v2", "dv_v3", "eq_v2"])
    func deleteFiles(table: String) async throws {
        guard RequiredInput.check(FileManager.default.fileExists(atPath: "\(Self.fixtures)/\(table)/expected.json"),
                                  "the Spark fixture \(table) is missing (Tests/Fixtures/spark/make_tables.py)") else { return }
        let root = try TemporaryFolder("snapshot-files")
        let location = root(table)
        try FileManager.default.copyItem(atPath: "\(Self.fixtures)/\(table)", toPath: location)
        let config = root("task.json")
        try """
            {"taskName": "\(table)", "table": "\(table)", "source": {"type": "iceberg-table", "location": "file://\(location)"},
             "schema": {"timeColumn": null}, "segments": {"maxRowsPerSegment": 40},
             "push": {"outputDir": "\(root("segments"))"}, "stateDir": "\(root("state"))"}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let task = IngestionTask(configuration: try TaskConfiguration.load(path: config))
        let answers = ServiceAnswers(host: TaskHost(tasks: [task], failures: [], maxConcurrentRuns: 1, logger: Logger(label: "test")))

        var deleteFilesSeen = Set<String>()
        for (version, sparkRows) in try Self.versions(table) {
            try "\(version)".write(toFile: location + "/metadata/version-hint.text", atomically: true, encoding: .utf8)
            let report = try await task.run()
            let status = try #require(report.status)
            #expect(status.state == .completed, "\(table) v\(version): \(status.error?.message ?? "")")
            let snapshot = try #require(status.lastIngestedSnapshotId)

            // Every live segment: its files' rows less the rows deletes removed are its rows, and
            // over the table that is Spark's count.
            let ledger = try await task.ledger()
            for entry in ledger {
                // A delete may remove every row of a data file, which then has no span in any segment.
                let spanned = Set(entry.files.map(\.path))
                let spans = entry.files.reduce(0) { $0 + $1.rows }
                let removed = (entry.deletes ?? []).filter { spanned.contains($0.dataFile) }.reduce(0) { $0 + $1.rows }
                #expect(spans - removed == entry.rows, "\(table) v\(version) \(entry.segment): \(spans) rows of files, \(removed) deleted, \(entry.rows) in it")
                #expect((entry.deletes ?? []).allSatisfy { $0.rows > 0 })
            }
            #expect(ledger.reduce(0) { $0 + $1.rows } == sparkRows, "\(table) v\(version)")

            let files = try #require(try await answers.snapshotFiles(table, snapshot: snapshot))
            let made = ledger.filter { $0.snapshotId == snapshot }
            for file in files {
                let path = try #require(file["path"] as? String)
                let kind = file["kind"] as? String
                let segments = file["segments"] as? [String] ?? []
                let rows = file["rows"] as? Int ?? -1
                #expect(!segments.isEmpty && Set(segments).isSubset(of: Set(made.map(\.segment))), "\(path): \(segments)")
                switch kind {
                case "data":
                    let expected = made.flatMap(\.files).filter { $0.path == path }.reduce(0) { $0 + $1.rows }
                    #expect(rows == expected && rows > 0, "\(path)")
                case "delete":
                    let expected = made.compactMap(\.deletes).joined().filter { $0.path == path }.reduce(0) { $0 + $1.rows }
                    #expect(rows == expected && rows > 0, "\(path)")
                    // The metadata names the files where Spark wrote the table; the copy holds them under `data/`.
                    let relative = try #require(path.range(of: "/\(table)/data/").map { String(path[$0.upperBound...]) }, "\(path)")
                    #expect(FileManager.default.fileExists(atPath: location + "/data/" + relative), "the delete file \(path) is the table's")
                    #expect(!made.flatMap(\.files).contains { $0.path == path }, "a delete file is not a data file")
                    let dataFiles = file["dataFiles"] as? [[String: Any]] ?? []
                    #expect(!dataFiles.isEmpty && dataFiles.reduce(0) { $0 + ($1["rows"] as? Int ?? 0) } == rows, "\(path): \(dataFiles)")
                    deleteFilesSeen.insert(path)
                default:
                    Issue.record("\(path): kind \(kind ?? "none")")
                }
            }
            let dataRows = files.filter { $0["kind"] as? String == "data" }.reduce(0) { $0 + ($1["rows"] as? Int ?? 0) }
            let dataPaths = Set(files.filter { $0["kind"] as? String == "data" }.compactMap { $0["path"] as? String })
            let deletedRows = made.compactMap(\.deletes).joined().filter { dataPaths.contains($0.dataFile) }.reduce(0) { $0 + $1.rows }
            #expect(dataRows - deletedRows == made.reduce(0) { $0 + $1.rows }, "\(table) v\(version): the answer adds up to the snapshot's segments")
        }
        #expect(!deleteFilesSeen.isEmpty, "\(table): some snapshot's answer names a delete file")
        withExtendedLifetime(root) {}
    }
}
