import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension EngineEndToEnd {
    /// The Pinot table mirrors the source (DESIGN.md, "Snapshots, checkpoints and exactly once"):
    /// files rewritten or deleted under a data lake, and copy-on-write overwrites and deletes of
    /// pyiceberg tables, leave exactly the source's rows in the live segments — through a swap
    /// that a kill at any of its points does not break.
    @Suite("engine: the Pinot table mirrors the source", .serialized)
    struct MirrorTests {
        /// Writes `name` under `folder` with ids `ids` and a `v` column of `tag`.
        static func writeLakeFile(_ folder: String, _ name: String, ids: Range<Int>, tag: String) throws {
            try EngineFixtures.python("""
                import pyarrow as pa, pyarrow.parquet as pq
                ids = list(range(\(ids.lowerBound), \(ids.upperBound)))
                pq.write_table(pa.table({"id": pa.array(ids, pa.int64()), "v": ["\(tag)-%d" % i for i in ids]}), "\(folder)/\(name)")
                """)
        }

        /// The live segments in `outputDir` are exactly the ledger's, and hold exactly `ids`,
        /// each `v` tagged as `tags` says.
        static func expectMirrored(_ root: String, ids: [Int64], tags: [Int64: String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let pushed = try PushedSegments(folder: root + "/segments")
            #expect(pushed.duplicateIds.isEmpty, "duplicates \(pushed.duplicateIds)", sourceLocation: sourceLocation)
            #expect(pushed.rows.keys.sorted() == ids, "\(pushed.rows.keys.sorted())", sourceLocation: sourceLocation)
            for (id, tag) in tags {
                #expect(pushed.rows[id]?["v"] == .string("\(tag)-\(id)"), "id \(id): \(String(describing: pushed.rows[id]?["v"]))", sourceLocation: sourceLocation)
            }
            let ledger = try await StateFolder(root + "/state").ledger().map(\.segment).sorted()
            #expect(pushed.names.sorted() == ledger, "the folder holds the ledger's segments", sourceLocation: sourceLocation)
            let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/segments")) ?? []).filter { $0.hasPrefix(".") }
            #expect(leftovers.isEmpty, "\(leftovers)", sourceLocation: sourceLocation)
        }

        /// A data lake of three files, ingested; then b rewritten in place with fewer rows, c
        /// deleted and d added.
        static func changedLake(_ root: String) async throws -> String {
            let lake = root + "/lake"
            try FileManager.default.createDirectory(atPath: lake, withIntermediateDirectories: true)
            try writeLakeFile(lake, "a.parquet", ids: 0..<10, tag: "a")
            try writeLakeFile(lake, "b.parquet", ids: 10..<20, tag: "b")
            try writeLakeFile(lake, "c.parquet", ids: 20..<30, tag: "c")
            let (config, _) = try EngineFixtures.configuration("""
                {"taskName": "mirror", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "segments": {"maxRowsPerSegment": 15}, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let first = try EngineFixtures.worker(["run", "--config", config])
            #expect(first.status == 0, "\(first.all)")
            try await expectMirrored(root, ids: Array(0..<30), tags: [5: "a", 15: "b", 25: "c"])
            try writeLakeFile(lake, "b.parquet", ids: 10..<14, tag: "b2")
            try FileManager.default.removeItem(atPath: lake + "/c.parquet")
            try writeLakeFile(lake, "d.parquet", ids: 30..<35, tag: "d")
            return config
        }

        static let afterChange: [Int64] = Array(0..<14) + Array(30..<35)

        @Test("a data lake: a file rewritten in place and a file deleted leave the segments equal to the files, no duplicate, no orphan")
        func dataLake() async throws {
            let root = EngineFixtures.temporaryDirectory("mirror-lake")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let config = try await Self.changedLake(root)
            let second = try EngineFixtures.worker(["run", "--config", config])
            #expect(second.status == 0, "\(second.all)")
            try await Self.expectMirrored(root, ids: Self.afterChange, tags: [5: "a", 12: "b2", 33: "d"])
            let status = try NewUserTests.status(root + "/state")
            let step = (status["snapshots"] as? [[String: Any]])?.last
            #expect(step?["filesRemoved"] as? Int == 2 && step?["segmentsReplaced"] as? Int == 2, "b's and c's segments: \(status)")
            let shown = try EngineFixtures.worker(["status", "--config", config])
            #expect(shown.output.contains("2 files removed, 2 segments replaced"), "\(shown.output)")
            let checkpoint = try await StateFolder(root + "/state").checkpoint()
            #expect(checkpoint?.ingestedFiles?.keys.map { URL(fileURLWithPath: $0).lastPathComponent }.sorted() == ["a.parquet", "b.parquet", "d.parquet"])
            #expect(try EngineFixtures.worker(["run", "--config", config]).status == 0)
            #expect(try NewUserTests.status(root + "/state")["segmentsPushed"] as? Int == 0, "nothing changed since")
            try await Self.expectMirrored(root, ids: Self.afterChange, tags: [12: "b2"])
        }

        @Test("kill -9 at every point of a swap, then a rerun: the same live segments and rows as a run never killed",
              arguments: ["sealed:1", "swap-started", "pushed:1", "swap-pushed", "swap-ended", "checkpoint-write:1"])
        func killedSwap(point: String) async throws {
            let root = EngineFixtures.temporaryDirectory("mirror-kill")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let config = try await Self.changedLake(root)
            let killed = try EngineFixtures.worker(["run", "--config", config], environment: ["LAKEINGEST_FAULT_KILL_AT": point])
            #expect(killed.signal == SIGKILL, "\(point): \(killed.all)")
            let rerun = try EngineFixtures.worker(["run", "--config", config])
            #expect(rerun.status == 0, "\(point): \(rerun.all)")
            try await Self.expectMirrored(root, ids: Self.afterChange, tags: [5: "a", 12: "b2", 33: "d"])
        }

        @Test("a step in progress whose file was deleted is planned again from a fresh listing; its rows leave the table")
        func deletedDuringStep() async throws {
            let root = EngineFixtures.temporaryDirectory("mirror-fresh")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let lake = root + "/lake"
            try FileManager.default.createDirectory(atPath: lake, withIntermediateDirectories: true)
            for (index, name) in ["a", "b", "c", "d"].enumerated() {
                try Self.writeLakeFile(lake, name + ".parquet", ids: (index * 10)..<(index * 10 + 10), tag: name)
            }
            let (config, _) = try EngineFixtures.configuration("""
                {"taskName": "fresh", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "segments": {"maxRowsPerSegment": 15}, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            // Killed once some of the four groups (a file each) are pushed and checkpointed.
            let killed = try EngineFixtures.worker(["run", "--config", config], environment: ["LAKEINGEST_FAULT_KILL_AT": "checkpointed:2"])
            #expect(killed.signal == SIGKILL, "\(killed.all)")
            let pushedGroups = try await StateFolder(root + "/state").checkpoint()?.inProgress?.pushedGroups ?? []
            #expect(!pushedGroups.isEmpty && pushedGroups.count < 4 && pushedGroups.contains(0), "\(pushedGroups)")
            try FileManager.default.removeItem(atPath: lake + "/a.parquet")
            try FileManager.default.removeItem(atPath: lake + "/d.parquet")
            let rerun = try EngineFixtures.worker(["run", "--config", config])
            #expect(rerun.status == 0, "\(rerun.all)")
            let notes = try NewUserTests.status(root + "/state")["notes"] as? [String] ?? []
            #expect(notes.contains { $0.contains("planned again from a fresh listing") }, "\(notes)")
            try await Self.expectMirrored(root, ids: Array(10..<30), tags: [15: "b", 25: "c"])
        }

        @Test("pyiceberg copy-on-write deletes and overwrites: the live segments hold pyiceberg's rows after each; fail and skip as before")
        func icebergCopyOnWrite() async throws {
            let root = EngineFixtures.temporaryDirectory("mirror-cow")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let state = root + "/lake"
            try EngineFixtures.lake(["create", "--state", state, "--warehouse", "file://" + root + "/warehouse", "--table", "orders"])
            try EngineFixtures.lake(["append", "--state", state, "--table", "orders", "--batch", "1", "--rows", "120", "--files", "3"])
            let (config, _) = try EngineFixtures.configuration("""
                {"taskName": "cow", "table": "orders", "source": {"type": "iceberg-table", "location": "file://warehouse/lake/orders"},
                 "segments": {"maxRowsPerSegment": 50}, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let (failing, _) = try EngineFixtures.configuration("""
                {"taskName": "cow", "table": "orders", "source": {"type": "iceberg-table", "location": "file://../warehouse/lake/orders",
                 "nonAppendSnapshots": "fail"}, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root + "/failing")
            #expect(try EngineFixtures.worker(["run", "--config", config]).status == 0)
            #expect(try EngineFixtures.worker(["run", "--config", failing]).status == 0)
            try EngineFixtures.lake(["overwrite", "--state", state, "--table", "orders"])
            try EngineFixtures.lake(["append", "--state", state, "--table", "orders", "--batch", "2", "--rows", "30"])
            let run = try EngineFixtures.worker(["run", "--config", config])
            #expect(run.status == 0, "\(run.all)")
            let expected = try EngineFixtures.expectedRows(state: state, table: "orders")
            let pushed = try PushedSegments(folder: root + "/segments")
            #expect(differences(pushed, expected.rows).isEmpty, "\(differences(pushed, expected.rows))")
            #expect(!expected.rows.isEmpty && expected.rows.filter { $0.key < 20000 }.values.allSatisfy { $0["category"] as? String != "books" },
                    "batch 1's books are deleted")
            let ledger = try await StateFolder(root + "/state").ledger().map(\.segment).sorted()
            #expect(pushed.names.sorted() == ledger)
            let status = try NewUserTests.status(root + "/state")
            let operations = (status["snapshots"] as? [[String: Any]] ?? []).compactMap { $0["operation"] as? String }
            #expect(operations.contains("append") && operations.contains { $0 == "overwrite" || $0 == "delete" }, "\(status)")

            let refused = try EngineFixtures.worker(["run", "--config", failing])
            #expect(refused.status == 1)
            let error = try NewUserTests.status(root + "/failing/state")["error"] as? [String: Any]
            #expect(error?["category"] as? String == "nonAppendSnapshot", "\(String(describing: error))")
        }
    }
}
