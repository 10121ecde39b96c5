import Engine
import Foundation
import Testing
import TestSupport

extension EngineEndToEnd {
    /// `run --json` as a script reads it: one event a line, and the run's `runFinished` always
    /// the last line, whatever the run did.
    @Suite("engine: run --json ends with runFinished")
    struct RunEventsTests {
        static func events(_ output: String) -> [[String: Any]] {
            output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        @Test("50 runs, ingesting and idle, each print runFinished last; a paused task prints it too")
        func lastEvent() throws {
            let root = EngineFixtures.temporaryDirectory("events")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            for batch in 1...3 {
                try EngineFixtures.lake(["parquet", "--out", root + "/lake/p\(batch).parquet", "--batch", String(batch), "--rows", "200"])
            }
            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "events", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state", "segments": {"maxRowsPerSegment": 100}}
                """, in: root)
            var ingesting = 0
            for run in 0..<50 {
                if run % 5 == 0 {
                    // A fresh state folder: this run ingests everything again.
                    try? FileManager.default.removeItem(atPath: root + "/state")
                    ingesting += 1
                }
                let result = try EngineFixtures.worker(["run", "--config", path, "--json"])
                #expect(result.status == 0, "run \(run): \(result.error)")
                let events = Self.events(result.output)
                #expect(events.first?["event"] as? String == "runStarted", "run \(run)")
                #expect(events.last?["event"] as? String == "runFinished", "run \(run): \(events.last ?? [:])")
                #expect(events.filter { $0["event"] as? String == "runFinished" }.count == 1, "run \(run)")
                #expect(events.last?["state"] as? String == "COMPLETED", "run \(run)")
                if run % 5 == 0 {
                    #expect(events.filter { $0["event"] as? String == "segmentPushed" }.count == 6, "run \(run)")
                    #expect(events.last?["segmentsPushed"] as? Int == 6, "run \(run)")
                }
            }
            #expect(ingesting == 10)

            #expect(try EngineFixtures.worker(["pause", "--config", path]).status == 0)
            let paused = try EngineFixtures.worker(["run", "--config", path, "--json"])
            #expect(paused.status == 0)
            let events = Self.events(paused.output)
            #expect(events.count == 1 && events.last?["event"] as? String == "runFinished", "\(paused.output)")
            #expect(events.last?["state"] as? String == "PAUSED")
        }

        @Test("a failed run's runFinished names the error's file")
        func failedRun() throws {
            let root = EngineFixtures.temporaryDirectory("events-failed")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            try EngineFixtures.lake(["parquet", "--out", root + "/lake/a.parquet", "--batch", "1", "--rows", "20"])
            try Data("PAR1 this is not a parquet file PAR1".utf8).write(to: URL(fileURLWithPath: root + "/lake/b.parquet"))
            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "events", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let result = try EngineFixtures.worker(["run", "--config", path, "--json"])
            #expect(result.status == 1)
            let last = Self.events(result.output).last
            #expect(last?["event"] as? String == "runFinished" && last?["state"] as? String == "FAILED", "\(result.all)")
            let error = last?["error"] as? [String: Any]
            #expect((error?["file"] as? String)?.hasSuffix("/lake/b.parquet") == true, "\(error ?? [:])")
        }
    }
}
