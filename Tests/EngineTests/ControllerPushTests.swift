import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ObjectStore
import Pinot
import Testing
import TestSupport

extension EngineEndToEnd {
    /// TAR and METADATA pushes to the controller test server (`Tests/Fixtures/pinot`), which
    /// applies Pinot's upload rules and reads every segment back with our reader.
    @Suite("engine: push to a Pinot controller", .serialized)
    struct ControllerPushTests {
        static let env = EngineFixtures.env
        static var controller: String { env["LAKEINGEST_CONTROLLER_URI"] ?? "" }
        static var control: String { env["LAKEINGEST_CONTROLLER_CONTROL"] ?? "" }

        /// A pyiceberg table on moto behind the Glue catalog.
        struct Lake {
            let root: String
            let state: String
            let table: String

            init(label: String) throws {
                root = EngineFixtures.temporaryDirectory(label)
                state = root + "/lake"
                table = "orders_\(label)_\(UInt32.random(in: 0...UInt32.max))"
                try EngineFixtures.lake(["create", "--state", state, "--warehouse", "s3://lake-\(UInt32.random(in: 0...UInt32.max))/warehouse", "--table", table])
                try append(batch: 1, rows: 90)
            }

            func append(batch: Int, rows: Int) throws {
                try EngineFixtures.lake(["append", "--state", state, "--table", table, "--batch", String(batch), "--rows", String(rows), "--files", "2"])
                try EngineFixtures.lake(["register", "--state", state, "--table", table, "--control", env["LAKEINGEST_CATALOG_CONTROL"] ?? ""])
            }

            /// A task pushing to the controller; `push` holds extra keys of the push block.
            func config(push: String, state stateDir: String = "state", label: String = "t") throws -> (String, TaskConfiguration) {
                try EngineFixtures.configuration("""
                    {"taskName": "\(table)", "table": "\(table)",
                     "source": {"type": "iceberg-rest", "restService": "glue", "uri": "\(env["LAKEINGEST_CATALOG_URI"] ?? "")",
                                "warehouse": "\(env["LAKEINGEST_CATALOG_WAREHOUSE"] ?? "")", "namespace": "lake", "tableName": "\(table)",
                                "metastore": {"accessKey": "\(env["LAKEINGEST_CATALOG_ACCESS_KEY"] ?? "")", "secretKey": "\(env["LAKEINGEST_CATALOG_SECRET_KEY"] ?? "")",
                                              "region": "\(env["LAKEINGEST_CATALOG_REGION"] ?? "")"},
                                "storage": \(EngineFixtures.motoStorage)},
                     "segments": {"maxRowsPerSegment": 40},
                     "push": {"controllerUri": "\(ControllerPushTests.controller)", \(push)}, "stateDir": "\(stateDir)"}
                    """, in: root + "/" + label)
            }
        }

        static func controlPost(_ path: String) throws {
            var request = URLRequest(url: URL(string: control + path)!)
            request.httpMethod = "POST"
            _ = try syncRequest(request)
        }

        static func controlGet(_ path: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: syncRequest(URLRequest(url: URL(string: control + path)!))) as! [String: Any]
        }

        static func syncRequest(_ request: URLRequest) throws -> Data {
            let result = LockedBox<Result<Data, any Error>?>(nil)
            let done = DispatchSemaphore(value: 0)
            URLSession.shared.dataTask(with: request) { data, _, error in
                result.value = error.map { .failure($0) } ?? .success(data ?? Data())
                done.signal()
            }.resume()
            done.wait()
            return try result.value!.get()
        }

        /// The controller's segments of `table`: name → record.
        static func segments(_ table: String) throws -> [String: [String: Any]] {
            var records: [String: [String: Any]] = [:]
            for record in try controlGet("/segments?table=\(table)")["segments"] as! [[String: Any]] { records[record["name"] as! String] = record }
            return records
        }

        /// The rows of the TAR-pushed segments, read back from the controller's copies.
        static func pushedRows(_ records: [String: [String: Any]], folder: String) throws -> PushedSegments {
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for record in records.values {
                let path = record["path"] as! String
                try FileManager.default.copyItem(atPath: path, toPath: folder + "/" + URL(fileURLWithPath: path).lastPathComponent)
            }
            return try PushedSegments(folder: folder)
        }

        static var available: Bool { EngineFixtures.requireServers(s3: true, catalog: true) && (controller.isEmpty ? EngineFixtures.ci.recordMissing() : true) }

        @Test("TAR push with createTable: schema and table created, rows equal pyiceberg's; an append pushes only new segments")
        func tarPush() async throws {
            guard Self.available else { return }
            let lake = try Lake(label: "tar")
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let (_, configuration) = try lake.config(push: #""mode": "tar", "createTable": true"#)
            let task = IngestionTask(configuration: configuration)
            var report = try await task.run()
            #expect(report.completed, "\(report.status?.error?.text ?? "")")
            var records = try Self.segments(lake.table)
            var pushed = try Self.pushedRows(records, folder: lake.root + "/pulled")
            var expected = try EngineFixtures.expectedRows(state: lake.state, table: lake.table)
            #expect(differences(pushed, expected.rows).isEmpty, "\(differences(pushed, expected.rows))")
            #expect(records.values.allSatisfy { $0["uploads"] as? Int == 1 && $0["uploadType"] as? String == "SEGMENT" })
            let tables = try JSONSerialization.jsonObject(with: Self.syncRequest(URLRequest(url: URL(string: Self.controller + "/tables/" + lake.table)!))) as? [String: Any]
            let offline = tables?["OFFLINE"] as? [String: Any]
            #expect((offline?["tableIndexConfig"] as? [String: Any])?["nullHandlingEnabled"] as? Bool == true)
            #expect((offline?["segmentsConfig"] as? [String: Any])?["timeColumnName"] as? String == "ts")
            #expect((offline?["segmentsConfig"] as? [String: Any])?["segmentPushType"] as? String == "APPEND")
            let firstNames = Set(records.keys)

            try lake.append(batch: 2, rows: 30)
            report = try await task.run()
            #expect(report.completed, "\(report.status?.error?.text ?? "")")
            records = try Self.segments(lake.table)
            pushed = try Self.pushedRows(records, folder: lake.root + "/pulled")
            expected = try EngineFixtures.expectedRows(state: lake.state, table: lake.table)
            #expect(differences(pushed, expected.rows).isEmpty, "\(differences(pushed, expected.rows))")
            #expect(records.values.allSatisfy { $0["uploads"] as? Int == 1 }, "no segment was pushed twice")
            #expect(Set(records.keys).isSuperset(of: firstNames) && records.count > firstNames.count)
            #expect(report.status?.segmentsPushed == records.count - firstNames.count)

            let validate = try EngineFixtures.worker(["validate", "--config", lake.root + "/t/task.json"])
            // (The fixture catalog does not list registered tables, so the listing step fails here.)
            #expect(validate.output.contains("ok   controller health") && validate.output.contains("OFFLINE table present, authorization accepted"), "\(validate.all)")
        }

        @Test("METADATA push: full tarballs in moto at deepStoreUri, the controller sees only bundles naming them")
        func metadataPush() async throws {
            guard Self.available else { return }
            let lake = try Lake(label: "meta")
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let bucket = "deepstore-\(UInt32.random(in: 0...UInt32.max))"
            let store = EngineFixtures.s3Store(bucket)
            try await store.createBucket()
            let (_, configuration) = try lake.config(push: #""mode": "metadata", "createTable": true, "deepStoreUri": "s3://\#(bucket)/segments/", "tarCompression": "zstd""#)
            let report = try await IngestionTask(configuration: configuration).run()
            #expect(report.completed, "\(report.status?.error?.text ?? "")")
            let records = try Self.segments(lake.table)
            #expect(!records.isEmpty)
            let folder = lake.root + "/deep"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, record) in records {
                #expect(record["uploadType"] as? String == "METADATA")
                #expect(record["downloadUri"] as? String == "s3://\(bucket)/segments/\(name).tar.zst")
                #expect(record["copyToDeepStore"] as? String == "false")
                #expect((record["bytes"] as? Int ?? 1 << 30) < 4096, "only the bundle was uploaded")
                let tarball = try await store.get("segments/\(name).tar.zst")
                try Data(tarball).write(to: URL(fileURLWithPath: folder + "/\(name).tar.zst"))
            }
            let expected = try EngineFixtures.expectedRows(state: lake.state, table: lake.table)
            let pushed = try PushedSegments(folder: folder)
            #expect(differences(pushed, expected.rows).isEmpty, "\(differences(pushed, expected.rows))")
        }

        @Test("faults: 503s are retried; 400 and 403 fail with the controller's message and leave the checkpoint; a stall times out naming the segment")
        func faults() async throws {
            guard Self.available else { return }
            let lake = try Lake(label: "faults")
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let (_, configuration) = try lake.config(push: #""mode": "tar", "createTable": true, "timeoutSeconds": 2"#)
            let task = IngestionTask(configuration: configuration)
            // Two 503s on the first upload, then success: no segment twice.
            try Self.controlPost("/fail?count=2&status=503&match=tableName=\(lake.table)")
            var report = try await task.run()
            #expect(report.completed, "\(report.status?.error?.text ?? "")")
            #expect(try Self.segments(lake.table).values.allSatisfy { $0["uploads"] as? Int == 1 })

            for status in [400, 403] {
                try lake.append(batch: status, rows: 20)
                let before = try await StateFolder(lake.root + "/t/state").checkpoint()
                try Self.controlPost("/fail?count=1&status=\(status)&match=tableName=\(lake.table)")
                report = try await task.run()
                #expect(report.status?.state == .failed)
                #expect(report.status?.error?.message.contains("Injected failure (\(status))") == true, "\(report.status?.error?.text ?? "")")
                #expect(report.status?.error?.message.contains("HTTP \(status)") == true)
                #expect(report.status?.error?.category == (status == 403 ? "credentials" : "pushRejected"))
                let after = try await StateFolder(lake.root + "/t/state").checkpoint()
                #expect(after?.snapshotId == before?.snapshotId && after?.inProgress?.pushedGroups.isEmpty != false, "the checkpoint did not move")
                report = try await task.run()
                #expect(report.completed, "\(report.status?.error?.text ?? "")")
            }
            let records = try Self.segments(lake.table)
            let pushed = try Self.pushedRows(records, folder: lake.root + "/pulled")
            #expect(differences(pushed, try EngineFixtures.expectedRows(state: lake.state, table: lake.table).rows).isEmpty)

            try lake.append(batch: 5, rows: 10)
            try Self.controlPost("/fail?count=1&status=0&delay=20&match=tableName=\(lake.table)")
            let started = Date()
            report = try await task.run()
            let elapsed = Date().timeIntervalSince(started)
            #expect(report.status?.state == .failed)
            #expect(report.status?.error?.message.contains("did not answer") == true, "\(report.status?.error?.text ?? "")")
            #expect(report.status?.error?.message.contains(lake.table + "_") == true, "names the segment")
            #expect(elapsed < 10, "within the 2 s budget (took \(elapsed) s)")
            try Self.controlPost("/clear-failures")
        }

        @Test("kill -9 between the upload and the checkpoint: the rerun uploads the same name again, no second copy")
        func killAfterUpload() throws {
            guard Self.available else { return }
            let lake = try Lake(label: "kill")
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let (path, _) = try lake.config(push: #""mode": "tar", "createTable": true"#)
            let killed = try EngineFixtures.worker(["run", "--config", path], environment: ["LAKEINGEST_FAULT_KILL_AT": "pushed:2"])
            #expect(killed.signal == SIGKILL, "\(killed.all.suffix(300))")
            let rerun = try EngineFixtures.worker(["run", "--config", path])
            #expect(rerun.status == 0, "\(rerun.all.suffix(400))")
            let records = try Self.segments(lake.table)
            #expect(records.values.contains { $0["uploads"] as? Int == 2 }, "the segment uploaded before the kill was uploaded again")
            let pushed = try Self.pushedRows(records, folder: lake.root + "/pulled")
            #expect(pushed.duplicateIds.isEmpty && pushed.rowCount == 90)
        }

        /// The segments a broker routes to (the controller test server's view of the lineage).
        static func routed(_ table: String) throws -> [String: [String: Any]] {
            let names = Set(try controlGet("/routed?table=\(table)")["segments"] as? [String] ?? [])
            return try segments(table).filter { names.contains($0.key) }
        }

        @Test("an overwrite through the lineage protocol, killed at each point of the swap: the routed view shows the old rows until the rerun ends it, then exactly pyiceberg's, never both",
              arguments: ["swap-started", "pushed:1", "swap-pushed", "swap-ended"])
        func mirroredOverwrite(point: String) async throws {
            guard Self.available else { return }
            let lake = try Lake(label: "mirror")
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let (path, _) = try lake.config(push: #""mode": "tar", "createTable": true"#)
            #expect(try EngineFixtures.worker(["run", "--config", path]).status == 0)
            let before = try Self.pushedRows(try Self.routed(lake.table), folder: lake.root + "/pulled")
            #expect(before.rowCount == 90)

            try EngineFixtures.lake(["overwrite", "--state", lake.state, "--table", lake.table])
            try EngineFixtures.lake(["register", "--state", lake.state, "--table", lake.table, "--control", Self.env["LAKEINGEST_CATALOG_CONTROL"] ?? ""])
            let killed = try EngineFixtures.worker(["run", "--config", path], environment: ["LAKEINGEST_FAULT_KILL_AT": point])
            #expect(killed.signal == SIGKILL, "\(point): \(killed.all.suffix(300))")
            let during = try Self.pushedRows(try Self.routed(lake.table), folder: lake.root + "/pulled")
            let expected = try EngineFixtures.expectedRows(state: lake.state, table: lake.table)
            let ended = point == "swap-ended"
            #expect(during.duplicateIds.isEmpty && Set(during.rows.keys) == Set(ended ? Array(expected.rows.keys) : Array(before.rows.keys)),
                    "\(point): the routed view shows the old segments or the new ones, never both")

            let rerun = try EngineFixtures.worker(["run", "--config", path])
            #expect(rerun.status == 0, "\(rerun.all.suffix(400))")
            let routed = try Self.routed(lake.table)
            let after = try Self.pushedRows(routed, folder: lake.root + "/pulled")
            #expect(after.rowCount < 90 && differences(after, expected.rows).isEmpty, "\(differences(after, expected.rows))")
            let lineage = try Self.controlGet("/lineage?table=\(lake.table)")["lineageEntries"] as? [String: [String: Any]] ?? [:]
            let states = lineage.values.compactMap { $0["state"] as? String }.sorted()
            let swaps = lineage.values.filter { !($0["segmentsFrom"] as? [String] ?? []).isEmpty }
            #expect(swaps.count == 1 && swaps.first?["state"] as? String == "COMPLETED" && !states.contains("IN_PROGRESS"),
                    "the rerun carried on the killed run's entry: \(lineage)")
            let ledger = try await StateFolder(lake.root + "/t/state").ledger().map(\.segment)
            #expect(Set(routed.keys) == Set(ledger), "the ledger names the routed segments: \(lineage)")
        }

        @Test("atomic steps (the default where the controller keeps lineage): an append killed after its first upload, or after its entry ended, shows the previous snapshot or the new one, never a part",
              arguments: ["pushed:1", "step-entry-ended"])
        func atomicAppend(point: String) async throws {
            guard Self.available else { return }
            let lake = try Lake(label: "atomic")
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let (path, _) = try lake.config(push: #""mode": "tar", "createTable": true"#)
            #expect(try EngineFixtures.worker(["run", "--config", path]).status == 0)
            let first = try EngineFixtures.expectedRows(state: lake.state, table: lake.table).rows
            try EngineFixtures.lake(["append", "--state", lake.state, "--table", lake.table, "--batch", "2", "--rows", "150", "--files", "1"])
            try EngineFixtures.lake(["register", "--state", lake.state, "--table", lake.table, "--control", Self.env["LAKEINGEST_CATALOG_CONTROL"] ?? ""])
            let second = try EngineFixtures.expectedRows(state: lake.state, table: lake.table).rows
            let killed = try EngineFixtures.worker(["run", "--config", path], environment: ["LAKEINGEST_FAULT_KILL_AT": point])
            #expect(killed.signal == SIGKILL, "\(point): \(killed.all.suffix(300))")
            let during = try Self.pushedRows(try Self.routed(lake.table), folder: lake.root + "/pulled")
            let visible = point == "step-entry-ended" ? second : first
            #expect(during.duplicateIds.isEmpty && differences(during, visible).isEmpty, "\(point): \(differences(during, visible))")
            let rerun = try EngineFixtures.worker(["run", "--config", path])
            #expect(rerun.status == 0, "\(rerun.all.suffix(400))")
            let after = try Self.pushedRows(try Self.routed(lake.table), folder: lake.root + "/pulled")
            #expect(after.duplicateIds.isEmpty && differences(after, second).isEmpty, "\(differences(after, second))")
            let lineage = try Self.controlGet("/lineage?table=\(lake.table)")["lineageEntries"] as? [String: [String: Any]] ?? [:]
            let states = lineage.values.compactMap { $0["state"] as? String }
            #expect(states.count == 2 && states.allSatisfy { $0 == "COMPLETED" }, "one entry per step, the killed run's carried on: \(lineage)")
        }

        @Test("a sharded step is one lineage entry: after each shard's first upload and after each part, the routed view holds the previous snapshot's rows or the new one's, never a part")
        func shardedStep() async throws {
            guard Self.available else { return }
            let lake = try Lake(label: "shards")
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let (path, _) = try lake.config(push: #""mode": "tar", "createTable": true"#)
            func shard(_ index: Int, killAfterFirstPush: Bool = false) throws -> ProcessResult {
                try EngineFixtures.worker(["run", "--config", path, "--shards", "3", "--shard", String(index)],
                                          environment: killAfterFirstPush ? ["LAKEINGEST_FAULT_KILL_AT": "pushed:1"] : [:])
            }
            for index in 0..<3 {
                let result = try shard(index)
                #expect(result.status == 0, "shard \(index): \(result.all.suffix(400))")
            }
            let first = try EngineFixtures.expectedRows(state: lake.state, table: lake.table).rows
            let initial = try Self.pushedRows(try Self.routed(lake.table), folder: lake.root + "/pulled")
            #expect(initial.rowCount == 90 && differences(initial, first).isEmpty, "\(differences(initial, first))")

            // One snapshot of several partition files: several groups, a part for each shard.
            try EngineFixtures.lake(["append", "--state", lake.state, "--table", lake.table, "--batch", "2", "--rows", "150", "--files", "1"])
            try EngineFixtures.lake(["register", "--state", lake.state, "--table", lake.table, "--control", Self.env["LAKEINGEST_CATALOG_CONTROL"] ?? ""])
            let second = try EngineFixtures.expectedRows(state: lake.state, table: lake.table).rows
            for index in 0..<3 {
                let killed = try shard(index, killAfterFirstPush: true)
                if killed.signal == SIGKILL {
                    let routed = try Self.pushedRows(try Self.routed(lake.table), folder: lake.root + "/pulled")
                    #expect(routed.duplicateIds.isEmpty && Set(routed.rows.keys) == Set(first.keys),
                            "shard \(index) killed after its first upload: the routed view holds the previous snapshot")
                    let rerun = try shard(index)
                    #expect(rerun.status == 0, "\(rerun.all.suffix(400))")
                } else {
                    Issue.record("shard \(index) was not killed after its first upload: \(killed.all.suffix(400))")
                }
                let routed = try Self.pushedRows(try Self.routed(lake.table), folder: lake.root + "/pulled")
                let expected = index == 2 ? second : first
                #expect(routed.duplicateIds.isEmpty && differences(routed, expected).isEmpty,
                        "after shard \(index)'s part: \(index == 2 ? "the new snapshot" : "the previous snapshot") (\(routed.rowCount) rows)")
            }
            let lineage = try Self.controlGet("/lineage?table=\(lake.table)")["lineageEntries"] as? [String: [String: Any]] ?? [:]
            let states = lineage.values.compactMap { $0["state"] as? String }
            #expect(states.count == 2 && states.allSatisfy { $0 == "COMPLETED" }, "one entry per sharded step: \(lineage)")
        }

        @Test("a missing table without createTable, and a wrong authorization, fail naming them; no secret shows")
        func refusals() throws {
            guard Self.available else { return }
            let lake = try Lake(label: "refuse")
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let missing = try lake.config(push: #""mode": "tar""#, label: "missing").0
            let result = try EngineFixtures.worker(["run", "--config", missing])
            #expect(result.status != 0)
            #expect(result.error.contains("no OFFLINE table \(lake.table)") && result.error.contains("push.createTable"), "\(result.error)")

            let secret = "Bearer CANARY-PINOT-TOKEN-0b9f2e"
            try Self.controlPost("/auth?value=\(("Bearer right-token").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            defer { try? Self.controlPost("/auth?value=") }
            let wrong = try lake.config(push: #""mode": "tar", "createTable": true, "authorization": "\#(secret)""#, label: "auth").0
            var outputs: [String] = []
            for arguments in [["run", "--config", wrong, "--log-level", "trace"], ["validate", "--config", wrong], ["status", "--config", wrong, "--json"]] {
                let result = try EngineFixtures.worker(arguments)
                outputs += [result.output, result.error]
            }
            #expect(outputs[0 ... 1].joined().contains("push.authorization"), "\(outputs[0 ... 1].joined().suffix(600))")
            #expect(outputs[2 ... 3].joined().contains("FAIL controller authorization"), "\(outputs[2 ... 3].joined())")
            // From the environment, too.
            let fromEnvironment = try lake.config(push: #""mode": "tar", "createTable": true"#, label: "env").0
            let environmentRun = try EngineFixtures.worker(["run", "--config", fromEnvironment], environment: ["PINOT_AUTHORIZATION": "Bearer right-token"])
            #expect(environmentRun.status == 0, "\(environmentRun.all.suffix(400))")
            outputs += [environmentRun.output, environmentRun.error]
            SecretTests.assertAbsent([secret, "right-token", Self.env["LAKEINGEST_S3_SECRET_KEY"] ?? "", Self.env["LAKEINGEST_CATALOG_SECRET_KEY"] ?? ""],
                                     in: outputs, folders: [lake.root], "controller")
        }
    }
}

/// A value shared with a callback.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

private extension Bool {
    func recordMissing() -> Bool {
        if self { Issue.record("CI=true but the controller test server is not running (run the suite through make test)") }
        return false
    }
}
