import Engine
import Foundation
import Testing
import TestSupport

/// A pyiceberg table on the local file system (`iceberg-table`, `file://`): every step of a
/// table's life through `IngestionTask`, rows compared with pyiceberg's scan.
extension EngineEndToEnd {
@Suite("engine: a file:// Iceberg table")
struct LocalTableTests {
    @Test("first run, an append, a schema change by field id, then an overwrite")
    func lifecycle() async throws {
        let root = EngineFixtures.temporaryDirectory("local")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let state = root + "/lake"
        try EngineFixtures.lake(["create", "--state", state, "--warehouse", "file://" + root + "/warehouse", "--table", "orders"])
        try EngineFixtures.lake(["append", "--state", state, "--table", "orders", "--batch", "1", "--rows", "150"])
        let (_, configuration) = try EngineFixtures.configuration("""
            {"taskName": "local", "table": "orders", "source": {"type": "iceberg-table", "location": "file://warehouse/lake/orders"},
             "push": {"outputDir": "segments"}, "stateDir": "state", "segments": {"maxRowsPerSegment": 40}}
            """, in: root)
        let task = IngestionTask(configuration: configuration)
        let events = task.events()

        // First run: the current snapshot's live files.
        var report = try await task.run()
        var expected = try EngineFixtures.expectedRows(state: state, table: "orders")
        var pushed = try PushedSegments(folder: root + "/segments")
        #expect(report.completed, "\(report.status?.error?.text ?? "")")
        #expect(differences(pushed, expected.rows).isEmpty, "\(differences(pushed, expected.rows))")
        #expect(pushed.rowCount == 150)
        let first = try #require(expected.snapshots.last)
        #expect(report.status?.lastIngestedSnapshotId == first)
        #expect(try await task.status()?.state == .completed)
        #expect(pushed.names.allSatisfy { $0.hasPrefix("orders_\(first)_") })
        let checkpoint = try await #require(try await StateFolder(root + "/state").checkpoint())
        #expect(checkpoint.snapshotId == first && checkpoint.inProgress == nil && checkpoint.tableUUID != nil)
        let firstNames = Set(pushed.names)
        let ledger = try await StateFolder(root + "/state").ledger()
        #expect(Set(ledger.map(\.segment)) == firstNames)
        #expect(ledger.reduce(0) { $0 + $1.rows } == 150)
        #expect(ledger.allSatisfy { entry in entry.files.reduce(0) { $0 + $1.rows } == entry.rows })

        // An append: only its files, as new segments; the old ones stay as they were.
        try EngineFixtures.lake(["append", "--state", state, "--table", "orders", "--batch", "2", "--rows", "60"])
        report = try await task.run()
        expected = try EngineFixtures.expectedRows(state: state, table: "orders")
        pushed = try PushedSegments(folder: root + "/segments")
        #expect(report.completed, "\(report.status?.error?.text ?? "")")
        #expect(differences(pushed, expected.rows).isEmpty, "\(differences(pushed, expected.rows))")
        let second = try #require(expected.snapshots.last)
        let newNames = Set(pushed.names).subtracting(firstNames)
        #expect(!newNames.isEmpty && newNames.allSatisfy { $0.hasPrefix("orders_\(second)_") })
        #expect(report.status?.rowsIngested == 60 && report.status?.snapshots.map(\.snapshotId) == [second])
        #expect(report.status?.lastIngestedSnapshotId == second)

        // A renamed and an added column land by field id: old rows keep their values, and the
        // segments built before the rename are rebuilt so every row reads the new name.
        try EngineFixtures.lake(["evolve", "--state", state, "--table", "orders", "--batch", "3", "--rows", "30"])
        report = try await task.run()
        expected = try EngineFixtures.expectedRows(state: state, table: "orders")
        pushed = try PushedSegments(folder: root + "/segments")
        #expect(report.completed, "\(report.status?.error?.text ?? "")")
        let renamed = pushed.rows.values.filter { $0["quantity"] != nil && $0["qty"] == nil }
        #expect(renamed.count == pushed.rowCount && pushed.rowCount == 240, "every segment names the column quantity")
        #expect(differences(pushed, expected.rows).isEmpty, "\(differences(pushed, expected.rows))")
        let rebuild = report.status?.snapshots.first { $0.operation == "rename" }
        #expect(rebuild?.segmentsReplaced == firstNames.count + newNames.count && rebuild?.rows == 210, "\(String(describing: report.status?.snapshots))")
        let newest = pushed.rows.filter { $0.key >= 30000 }
        #expect(newest.count == 30)
        #expect(newest.allSatisfy { id, row in pinotEquals(row["quantity"] ?? .null, expected.rows[id]?["quantity"]) })
        #expect(newest.allSatisfy { id, row in pinotEquals(row["discount"] ?? .null, expected.rows[id]?["discount"]) })

        // An overwrite is mirrored: the segments holding rewritten files are rebuilt and swapped.
        try EngineFixtures.lake(["overwrite", "--state", state, "--table", "orders"])
        report = try await task.run()
        #expect(report.completed, "\(report.status?.error?.text ?? "")")
        expected = try EngineFixtures.expectedRows(state: state, table: "orders")
        pushed = try PushedSegments(folder: root + "/segments")
        #expect(differences(pushed, expected.rows).isEmpty, "\(differences(pushed, expected.rows))")

        var seen: Set<String> = []
        for await event in events {
            switch event {
            case .segmentPushed: seen.insert("pushed")
            case .snapshotCheckpointed: seen.insert("checkpointed")
            case .filesDiscovered: seen.insert("discovered")
            case .runFinished: seen.insert("finished")
            default: break
            }
            if seen.count == 4 { break }
        }
        #expect(seen.count == 4, "\(seen)")
    }
}
}
