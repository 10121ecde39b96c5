import Foundation
@testable import Iceberg
import Testing
import TestSupport

/// The incremental planner against tables written by pyiceberg: for every snapshot, planning
/// from its parent lists exactly the data files pyiceberg says it added.
@Suite("Iceberg planning")
struct PlanningTests {
    @Test("metadata of format v1 and v2 tables parses", arguments: ["orders_v1", "orders_v2"])
    func metadata(table: String) async throws {
        let metadata = try await IcebergFixtures.metadata(table)
        let expected = try IcebergFixtures.expected(table)
        #expect(metadata.formatVersion == expected["formatVersion"] as? Int)
        #expect(metadata.mainSnapshotId == expected.int64("currentSnapshotId"))
        #expect(metadata.currentSchemaId == expected["currentSchemaId"] as? Int)
        #expect(metadata.mainAncestry().map(\.snapshotId) == (try IcebergFixtures.snapshots(table)).compactMap { $0.int64("snapshotId") })
    }

    @Test("every snapshot, planned from its parent", arguments: ["orders_v1", "orders_v2"])
    func everySnapshot(table: String) async throws {
        let metadata = try await IcebergFixtures.metadata(table)
        let snapshots = try IcebergFixtures.snapshots(table)
        for (index, expected) in snapshots.enumerated() where index > 0 {
            let parent = snapshots[index - 1]
            let checkpoint = Checkpoint(snapshotId: parent.int64("snapshotId")!, sequenceNumber: parent.int64("sequenceNumber")!)
            var truncated = metadata
            truncated.refs["main"] = SnapshotRef(snapshotId: expected.int64("snapshotId")!, type: "branch")
            let planner = IncrementalPlanner(metadata: truncated, io: .local)
            let operation = expected["operation"] as! String
            switch operation {
            case "append":
                let plan = try await planner.plan(from: checkpoint)
                #expect(plan.steps.count == 1)
                #expect(plan.steps.first?.files.map(\.path) == expected.strings("addedDataFiles"), "snapshot \(index)")
                #expect(plan.steps.first?.files.reduce(0) { $0 + $1.recordCount } == expected.int64("addedRecords"))
            case "replace":
                let plan = try await planner.plan(from: checkpoint)
                #expect(plan.steps == [.noOp(snapshot: truncated.snapshot(id: expected.int64("snapshotId")!)!)])
            default:
                let error = await #expect(throws: IcebergError.self) { try await planner.plan(from: checkpoint) }
                #expect(error?.code == .nonAppendSnapshot)
                #expect(error?.message.contains("\(expected.int64("snapshotId")!)") == true)
                #expect(error?.message.contains(operation) == true)
                let skipping = IncrementalPlanner(metadata: truncated, io: .local, nonAppend: .skip)
                let plan = try await skipping.plan(from: checkpoint)
                #expect(plan.steps.map(\.snapshot.snapshotId) == [expected.int64("snapshotId")!])
                #expect(plan.steps.first?.files == [])
            }
        }
    }

    @Test("a first run plans the current snapshot's live files", arguments: ["orders_v1", "orders_v2"])
    func firstRun(table: String) async throws {
        let metadata = try await IcebergFixtures.metadata(table)
        let plan = try await IncrementalPlanner(metadata: metadata, io: .local).plan(from: nil)
        #expect(plan.steps.count == 1)
        #expect(plan.steps.first?.files.map(\.path) == (try IcebergFixtures.snapshots(table)).last?.strings("liveDataFiles"))
    }

    @Test("planning several snapshots at once, skipping non-appends, reads each manifest once")
    func manySnapshots() async throws {
        let metadata = try await IcebergFixtures.metadata("orders_v2")
        let snapshots = try IcebergFixtures.snapshots("orders_v2")
        let first = snapshots[0]
        let plan = try await IncrementalPlanner(metadata: metadata, io: .local, nonAppend: .skip)
            .plan(from: Checkpoint(snapshotId: first.int64("snapshotId")!, sequenceNumber: first.int64("sequenceNumber")!))
        #expect(plan.steps.map(\.snapshot.snapshotId) == snapshots.dropFirst().map { $0.int64("snapshotId")! })
        let appended = snapshots.dropFirst().filter { $0["operation"] as? String == "append" }.flatMap { $0.strings("addedDataFiles") }
        #expect(plan.steps.flatMap(\.files).map(\.path).sorted() == appended.sorted())
        #expect(plan.objectsRead <= snapshots.count * 4, "\(plan.objectsRead) reads")
    }

    @Test("an expired checkpoint falls back to comparing data files by sequence number")
    func expiredCheckpoint() async throws {
        let metadata = try await IcebergFixtures.metadata("orders_v2")
        let snapshots = try IcebergFixtures.snapshots("orders_v2")
        let second = snapshots[1]
        let plan = try await IncrementalPlanner(metadata: metadata, io: .local)
            .plan(from: Checkpoint(snapshotId: 42, sequenceNumber: second.int64("sequenceNumber")!))
        #expect(plan.checkpointExpired)
        let files = try IcebergFixtures.expected("orders_v2")["dataFiles"] as! [[String: Any]]
        #expect(!files.isEmpty)
        let live = Set(snapshots.last!.strings("liveDataFiles"))
        let planned = Set(plan.steps.flatMap(\.files).map(\.path))
        #expect(planned.isSubset(of: live))
        #expect(!planned.isEmpty)
        let v1 = try await IcebergFixtures.metadata("orders_v1")
        let error = await #expect(throws: IcebergError.self) {
            try await IncrementalPlanner(metadata: v1, io: .local).plan(from: Checkpoint(snapshotId: 42, sequenceNumber: 0))
        }
        #expect(error?.code == .snapshotNotFound)
    }

    @Test("partition tuples and sizes come from the manifests")
    func dataFileDetails() async throws {
        let metadata = try await IcebergFixtures.metadata("orders_v2")
        let plan = try await IncrementalPlanner(metadata: metadata, io: .local).plan(from: nil)
        let expected = Dictionary(uniqueKeysWithValues: (try IcebergFixtures.expected("orders_v2")["dataFiles"] as! [[String: Any]]).map { ($0["path"] as! String, $0) })
        for file in plan.steps.flatMap(\.files) {
            let want = try #require(expected[file.path])
            #expect(file.recordCount == want.int64("recordCount"))
            #expect(file.fileSizeInBytes == want.int64("fileSizeInBytes"))
            let partition = want["partition"] as! [String: Any]
            #expect(file.partition.count == partition.count)
            for value in file.partition {
                let wanted = partition[value.name]
                switch value.value {
                case .null: #expect(wanted is NSNull)
                case .int(let v): #expect((wanted as? NSNumber)?.int64Value == Int64(v))
                case .long(let v): #expect((wanted as? NSNumber)?.int64Value == v)
                case .string(let s): #expect(wanted as? String == s)
                default: Issue.record("unexpected partition value \(value)")
                }
            }
        }
    }
}

@Suite("Iceberg broken metadata")
struct BrokenMetadataTests {
    @Test("corrupt metadata JSON, a missing manifest list, a truncated manifest: typed errors naming the object")
    func broken() async throws {
        _ = IcebergFixtures.installed
        let dir = IcebergFixtures.root + "/broken/"
        let syntax = dir + "syntax-error.metadata.json"
        let first = #expect(throws: IcebergError.self) {
            _ = try TableMetadata.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: syntax))), source: syntax)
        }
        #expect(first?.code == .invalidMetadata)
        #expect(first?.object == syntax)

        let missing = dir + "missing-manifest-list.metadata.json"
        let metadata = try TableMetadata.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: missing))), source: missing)
        let second = await #expect(throws: IcebergError.self) { try await IncrementalPlanner(metadata: metadata, io: .local).plan(from: nil) }
        #expect(second?.code == .missingObject)
        #expect(second?.object?.hasSuffix("snap-missing-manifest-list.avro") == true)

        let truncated = dir + "truncated-manifest.avro"
        let manifest = ManifestFile(path: truncated, length: 0, partitionSpecId: 0, content: .data, sequenceNumber: 1, addedSnapshotId: 1)
        let third = #expect(throws: IcebergError.self) {
            _ = try ManifestEntry.readManifest([UInt8](try Data(contentsOf: URL(fileURLWithPath: truncated))), manifest: manifest)
        }
        #expect(third?.code == .corruptManifest)
        #expect(third?.object == truncated)
        #expect("\(String(describing: third?.underlying))".contains("truncated"))
    }

    @Test("a content value no Iceberg version defines is refused, in a manifest list and in a manifest")
    func unknownContent() throws {
        let dir = IcebergFixtures.root + "/broken/"
        let list = dir + "unknown-content-list.avro"
        let first = #expect(throws: IcebergError.self) {
            _ = try ManifestFile.readList([UInt8](try Data(contentsOf: URL(fileURLWithPath: list))), path: list)
        }
        #expect(first?.code == .corruptManifest && first?.message.contains("content 7") == true, "\(first!)")
        #expect(first?.object == list)
        let path = dir + "unknown-content-manifest.avro"
        let manifest = ManifestFile(path: path, length: 0, partitionSpecId: 0, content: .data, sequenceNumber: 1, addedSnapshotId: 1)
        let second = #expect(throws: IcebergError.self) {
            _ = try ManifestEntry.readManifest([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), manifest: manifest)
        }
        #expect(second?.code == .corruptManifest && second?.message.contains("content 9") == true, "\(second!)")
        #expect(second?.object == path)
    }

    @Test("format v4 is refused (v3 is read: the Spark-written v3 tables of the engine tests)")
    func v4() {
        let json = Array(#"{"format-version": 4, "location": "s3://b/t", "schemas": [], "current-schema-id": 0}"#.utf8)
        let error = #expect(throws: IcebergError.self) { _ = try TableMetadata.parse(json, source: "v4.metadata.json") }
        #expect(error?.code == .unsupportedVersion)
    }
}
