import Engine
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension EngineEndToEnd {
    /// `run --watch`, `pause`, `resume` and `status` as a user runs them.
    @Suite("engine: watch, pause and resume")
    struct WatchTests {
        @Test("run --watch ingests at once, then waits for its schedule; SIGTERM ends it")
        func watch() async throws {
            let root = EngineFixtures.temporaryDirectory("watch")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            try EngineFixtures.lake(["parquet", "--out", root + "/lake/a.parquet", "--batch", "1", "--rows", "20"])
            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "watch", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state", "schedule": "0 0 1 1 *"}
                """, in: root)
            let process = try ProcessRunner.start(EngineFixtures.worker, ["run", "--config", path, "--watch", "--json"])
            var waited = 0
            while waited < 300, (try? await StateFolder(root + "/state").status())??.state != .completed {
                usleep(20_000)
                waited += 1
            }
            #expect(try await StateFolder(root + "/state").status()?.state == .completed, "the first run happens at once")
            usleep(300_000)
            #expect(process.isRunning, "then it waits for the next scheduled minute")
            process.send(SIGTERM)
            let ended = process.wait()
            #expect(ended.status == 0)
            let lines = ended.output.split(separator: "\n")
            let events = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.compactMap { $0["event"] as? String }
            #expect(events.first == "runStarted" && events.contains("segmentPushed") && events.contains("runFinished"), "\(events)")
        }

        @Test("pause keeps segments and checkpoint and makes runs do nothing; resume continues")
        func pauseResume() throws {
            let root = EngineFixtures.temporaryDirectory("pause")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            try EngineFixtures.lake(["parquet", "--out", root + "/lake/a.parquet", "--batch", "1", "--rows", "20"])
            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "pause", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let configText = try String(contentsOfFile: path, encoding: .utf8)
            #expect(try EngineFixtures.worker(["run", "--config", path]).status == 0)
            let paused = try EngineFixtures.worker(["pause", "--config", path])
            #expect(paused.status == 0 && paused.output.contains("paused"))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == configText, "the user's configuration is not touched")
            try EngineFixtures.lake(["parquet", "--out", root + "/lake/b.parquet", "--batch", "2", "--rows", "20"])
            let skipped = try EngineFixtures.worker(["run", "--config", path])
            #expect(skipped.status == 0 && skipped.error.contains("paused"), "\(skipped.all)")
            #expect(try PushedSegments(folder: root + "/segments").rowCount == 20)
            let status = try EngineFixtures.worker(["status", "--config", path])
            #expect(status.output.contains("COMPLETED") && status.output.contains("paused"), "\(status.output)")
            #expect(try EngineFixtures.worker(["resume", "--config", path]).status == 0)
            #expect(try EngineFixtures.worker(["run", "--config", path]).status == 0)
            #expect(try PushedSegments(folder: root + "/segments").rowCount == 40)
            let json = try EngineFixtures.worker(["status", "--config", path, "--json"])
            let document = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
            for key in ["state", "lastIngestedSnapshotId", "filesDiscovered", "filesIngested", "segmentsGenerated", "segmentsPushed",
                        "rowsIngested", "error", "snapshots"] {
                #expect(document?.keys.contains(key) == true, "status.json has \(key)")
            }
            #expect(document?["rowsIngested"] as? Int == 20 && document?["filesDiscovered"] as? Int == 1)
        }
    }
}
