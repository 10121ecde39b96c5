import Engine
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Each failure leaves a status a user can act on (category and place) and the checkpoint as it
/// was; with `continueOnFileError` a bad file is listed and the run completes.
extension EngineEndToEnd {
@Suite("engine: failure paths", .serialized)
struct FailurePathTests {
    /// A file:// table of two appends (several files each), and a configuration for it.
    struct Table {
        let root: String
        let lakeState: String
        var dataFiles: [String] {
            let data = root + "/warehouse/lake/orders/data"
            let files = FileManager.default.enumerator(atPath: data)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".parquet") } ?? []
            return files.map { data + "/" + $0 }.sorted()
        }

        init(label: String) throws {
            root = EngineFixtures.temporaryDirectory(label)
            lakeState = root + "/lake"
            try EngineFixtures.lake(["create", "--state", lakeState, "--warehouse", "file://" + root + "/warehouse", "--table", "orders"])
            try EngineFixtures.lake(["append", "--state", lakeState, "--table", "orders", "--batch", "1", "--rows", "80", "--files", "2"])
        }

        func config(_ extra: String = "", stateDir: String = "state", outputDir: String = "segments") throws -> (String, TaskConfiguration) {
            try EngineFixtures.configuration("""
                {"taskName": "failures", "table": "orders", "source": {"type": "iceberg-table", "location": "file://warehouse/lake/orders"},
                 "push": {"outputDir": "\(outputDir)"}, "stateDir": "\(stateDir)"\(extra)}
                """, in: root)
        }
    }

    @Test("a missing data file: FAILED naming it; with continueOnFileError, COMPLETED listing it")
    func missingFile() async throws {
        let table = try Table(label: "missing")
        defer { try? FileManager.default.removeItem(atPath: table.root) }
        let victim = try #require(table.dataFiles.first)
        try FileManager.default.removeItem(atPath: victim)
        let (_, configuration) = try table.config()
        let report = try await IngestionTask(configuration: configuration).run()
        #expect(report.status?.state == .failed)
        #expect(report.status?.error?.category == "notFound", "\(report.status?.error?.text ?? "")")
        #expect(report.status?.error?.file?.hasSuffix(URL(fileURLWithPath: victim).lastPathComponent) == true, "\(report.status?.error?.text ?? "")")
        #expect(report.status?.filesDiscovered ?? 0 > 1, "files discovered against segments generated")
        #expect(try await StateFolder(table.root + "/state").checkpoint()?.snapshotId == nil, "nothing checkpointed")

        let (_, tolerant) = try table.config(#", "continueOnFileError": true"#, stateDir: "state2", outputDir: "segments2")
        let second = try await IngestionTask(configuration: tolerant).run()
        #expect(second.completed, "\(second.status?.error?.text ?? "")")
        #expect(second.status?.skippedFiles.count == 1)
        #expect(second.status?.skippedFiles.first?.file.hasSuffix(URL(fileURLWithPath: victim).lastPathComponent) == true)
        #expect(second.status?.skippedFiles.first?.error.category == "notFound")
        let pushed = try PushedSegments(folder: table.root + "/segments2")
        #expect(pushed.rowCount > 0 && pushed.rowCount < 80)
    }

    @Test("a corrupt Parquet file: FAILED naming the file and the place; skipped with continueOnFileError")
    func corruptFile() async throws {
        let table = try Table(label: "corrupt")
        defer { try? FileManager.default.removeItem(atPath: table.root) }
        let expected = try EngineFixtures.expectedRows(state: table.lakeState, table: "orders")
        let victim = try #require(table.dataFiles.last)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: victim)))
        // Keep the footer, garble the column chunks: the failure is in the data, not the footer.
        for i in 4..<min(bytes.count - 600, 400) { bytes[i] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: victim))
        let (_, configuration) = try table.config()
        let report = try await IngestionTask(configuration: configuration).run()
        #expect(report.status?.state == .failed)
        #expect(report.status?.error?.category == "corruptFile", "\(report.status?.error?.text ?? "")")
        #expect(report.status?.error?.file?.hasSuffix(URL(fileURLWithPath: victim).lastPathComponent) == true)
        #expect(report.status?.error?.rowGroup != nil || report.status?.error?.column != nil, "\(report.status?.error?.text ?? "")")

        let (_, tolerant) = try table.config(#", "continueOnFileError": true"#, stateDir: "state2", outputDir: "segments2")
        let second = try await IngestionTask(configuration: tolerant).run()
        #expect(second.completed, "\(second.status?.error?.text ?? "")")
        #expect(second.status?.skippedFiles.count == 1)
        #expect(second.status?.skippedFiles.first?.file.hasSuffix(URL(fileURLWithPath: victim).lastPathComponent) == true)
        #expect(second.status?.skippedFiles.first?.error.category == "corruptFile")
        let pushed = try PushedSegments(folder: table.root + "/segments2")
        #expect(pushed.duplicateIds.isEmpty)
        #expect(Set(pushed.rows.keys).isSubset(of: Set(expected.rows.keys)) && pushed.rowCount < 80 && pushed.rowCount > 0,
                "the corrupt file's rows are out, the others in")
    }

    @Test("wrong storage credentials: FAILED as a credentials error; the checkpoint stays")
    func wrongCredentials() async throws {
        guard EngineFixtures.requireServers(s3: true) else { return }
        let root = EngineFixtures.temporaryDirectory("creds")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bucket = "lake-\(UInt32.random(in: 0...UInt32.max))"
        let store = EngineFixtures.s3Store(bucket)
        try await store.createBucket()
        try EngineFixtures.lake(["parquet", "--out", root + "/p.parquet", "--batch", "1", "--rows", "20"])
        try await store.put("in/p.parquet", body: [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/p.parquet"))))
        let env = EngineFixtures.env
        let (_, configuration) = try EngineFixtures.configuration("""
            {"taskName": "creds", "table": "events", "source": {"type": "s3-data-lake", "location": "s3://\(bucket)/in/",
              "storage": {"accessKey": "\(env["LAKEINGEST_S3_ACCESS_KEY"]!)", "secretKey": "not-the-secret", "endpoint": "\(env["LAKEINGEST_S3_ENDPOINT"]!)", "pathStyle": true}},
             "push": {"outputDir": "segments"}, "stateDir": "state"}
            """, in: root)
        let report = try await IngestionTask(configuration: configuration).run()
        #expect(report.status?.state == .failed)
        #expect(report.status?.error?.category == "credentials", "\(report.status?.error?.text ?? "")")
        #expect(try await StateFolder(root + "/state").checkpoint() == nil)
    }

    @Test("skipping overwrite and delete snapshots when configured")
    func skipNonAppend() async throws {
        let table = try Table(label: "skip")
        defer { try? FileManager.default.removeItem(atPath: table.root) }
        let (_, skipping) = try EngineFixtures.configuration("""
            {"taskName": "skip", "table": "orders", "source": {"type": "iceberg-table", "location": "file://warehouse/lake/orders", "nonAppendSnapshots": "skip"},
             "push": {"outputDir": "segments"}, "stateDir": "state"}
            """, in: table.root)
        let task = IngestionTask(configuration: skipping)
        #expect(try await task.run().completed)
        try EngineFixtures.lake(["overwrite", "--state", table.lakeState, "--table", "orders"])
        let report = try await task.run()
        #expect(report.completed, "\(report.status?.error?.text ?? "")")
        #expect(report.status?.snapshots.first?.action.hasPrefix("skipped") == true, "\(report.status?.snapshots ?? [])")
    }

    @Test("a second worker on the same task fails at once, naming the first one's pid")
    func secondWorker() throws {
        let table = try Table(label: "lock")
        defer { try? FileManager.default.removeItem(atPath: table.root) }
        let (path, _) = try table.config(#", "segments": {"maxRowsPerSegment": 20}"#)
        let first = try ProcessRunner.start(EngineFixtures.worker, ["run", "--config", path], environment: ["LAKEINGEST_FAULT_SLOW_AT": "push:800"])
        defer { first.send(SIGTERM); first.wait() }
        let lock = table.root + "/state/lock"
        var waited = 0
        while waited < 100, (try? String(contentsOfFile: lock, encoding: .utf8))?.isEmpty ?? true {
            usleep(50_000)
            waited += 1
        }
        let started = Date()
        let second = try EngineFixtures.worker(["run", "--config", path])
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(second.status != 0)
        #expect(second.all.contains("pid \(first.processIdentifier)"), "\(second.all)")
        #expect(second.all.contains("taskLocked"))
        let status = try EngineFixtures.worker(["status", "--config", path])
        #expect(status.output.hasPrefix("RUNNING"), "a worker holds the task: \(status.all)")
    }

    @Test("SIGTERM mid-run: stops promptly, FAILED as interrupted, pushed segments recorded; the rerun completes")
    func sigterm() async throws {
        let table = try Table(label: "sigterm")
        defer { try? FileManager.default.removeItem(atPath: table.root) }
        let (path, _) = try table.config(#", "segments": {"maxRowsPerSegment": 10}"#)
        let process = try ProcessRunner.start(EngineFixtures.worker, ["run", "--config", path], environment: ["LAKEINGEST_FAULT_SLOW_AT": "push:400"])
        var waited = 0
        while waited < 200, EngineFixtures.ledgerObjects(table.root + "/state").count < 2 {
            usleep(20_000)
            waited += 1
        }
        let signalled = Date()
        process.send(SIGINT)  // then SIGTERM for good measure, as a supervisor would
        process.send(SIGTERM)
        let ended = process.wait()
        #expect(Date().timeIntervalSince(signalled) < 3, "stops within the push in flight")
        #expect(ended.status != 0)
        let status = try await #require(try await StateFolder(table.root + "/state").status())
        #expect(status.state == .failed && status.error?.category == "interrupted", "\(status.error?.text ?? "")")
        let pushed = try PushedSegments(folder: table.root + "/segments")
        let recorded = Set(try await StateFolder(table.root + "/state").ledger().map(\.segment))
        #expect(Set(pushed.names) == recorded, "every segment in the folder is in the ledger and the other way round")
        #expect(pushed.rowCount < 80)
        let rerun = try EngineFixtures.worker(["run", "--config", path])
        #expect(rerun.status == 0, "\(rerun.all.suffix(400))")
        let final = try PushedSegments(folder: table.root + "/segments")
        #expect(final.rowCount == 80 && final.duplicateIds.isEmpty)
    }
}
}
