import Engine
import Foundation
import Testing
import TestSupport

/// `kill -9` at every point of a run, then a rerun: the segments (names and rows) equal an
/// uninterrupted run's, no row duplicated or missing. The worker runs as a process and stops
/// itself with SIGKILL at a named point (`LAKEINGEST_FAULT_KILL_AT`, see `FaultInjection`).
extension EngineEndToEnd {
@Suite("engine: exactly once across kill -9", .serialized)
struct ExactlyOnceTests {
    /// A table with one ingested snapshot (its state and segments kept aside) and two new ones.
    final class Scenario: @unchecked Sendable {
        let root: String
        let lakeState: String
        let baseState: String
        let baseSegments: String

        init() throws {
            root = EngineFixtures.temporaryDirectory("once")
            lakeState = root + "/lake"
            baseState = root + "/base-state"
            baseSegments = root + "/base-segments"
            try EngineFixtures.lake(["create", "--state", lakeState, "--warehouse", "file://" + root + "/warehouse", "--table", "orders"])
            try EngineFixtures.lake(["append", "--state", lakeState, "--table", "orders", "--batch", "1", "--rows", "90", "--files", "2"])
            let setup = try config(state: baseState, segments: baseSegments)
            let first = try EngineFixtures.worker(["run", "--config", setup])
            guard first.status == 0 else { throw FixtureError(message: "setup run failed: \(first.all)") }
            try EngineFixtures.lake(["append", "--state", lakeState, "--table", "orders", "--batch", "2", "--rows", "70", "--files", "2"])
            try EngineFixtures.lake(["append", "--state", lakeState, "--table", "orders", "--batch", "3", "--rows", "50", "--files", "1"])
        }

        /// A configuration whose state and segments are at the given folders.
        func config(state: String, segments: String) throws -> String {
            let path = root + "/task-\(UInt32.random(in: 0...UInt32.max)).json"
            try """
            {"taskName": "once", "table": "orders", "source": {"type": "iceberg-table", "location": "file://\(root)/warehouse/lake/orders"},
             "push": {"outputDir": "\(segments)"}, "stateDir": "\(state)", "segments": {"maxRowsPerSegment": 30},
             "pipeline": {"decodeConcurrency": 2, "fetchConcurrency": 2}}
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// A fresh copy of the state after the first snapshot: (config, segments folder, state folder).
        func copy(_ label: String) throws -> (String, String, String) {
            let state = root + "/\(label)-state", segments = root + "/\(label)-segments"
            let fm = FileManager.default
            try? fm.removeItem(atPath: state)
            try? fm.removeItem(atPath: segments)
            try fm.copyItem(atPath: baseState, toPath: state)
            try fm.copyItem(atPath: baseSegments, toPath: segments)
            return (try config(state: state, segments: segments), segments, state)
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }
    }

    static func rowsById(_ segments: PushedSegments) -> [Int64: String] {
        segments.rows.mapValues { row in row.keys.sorted().map { "\($0)=\(row[$0]!.jsonText)" }.joined(separator: ",") }
    }

    @Test("a kill at each point, then a rerun, gives the uninterrupted run's segments")
    func killAndRerun() async throws {
        let scenario = try Scenario()
        let (referenceConfig, referenceSegments, _) = try scenario.copy("reference")
        let reference = try EngineFixtures.worker(["run", "--config", referenceConfig])
        #expect(reference.status == 0, "\(reference.all)")
        let expected = try PushedSegments(folder: referenceSegments)
        #expect(expected.rowCount == 210 && expected.duplicateIds.isEmpty)
        let expectedRows = Self.rowsById(expected)

        let points = ["after-discovery", "decoded:3", "appended:2", "sealed:1", "pushed:1", "checkpoint-write:1", "checkpointed:2",
                      "pushed:4", "checkpoint-write:5", "sealed:6", "checkpointed:7"]
        for point in points {
            let (config, segments, state) = try scenario.copy("kill-\(point.replacingOccurrences(of: ":", with: "-"))")
            let killed = try EngineFixtures.worker(["run", "--config", config], environment: ["LAKEINGEST_FAULT_KILL_AT": point])
            #expect(killed.signal == SIGKILL, "\(point): the worker was not killed (status \(killed.status)): \(killed.all.suffix(400))")
            let status = try EngineFixtures.worker(["status", "--config", config])
            #expect(status.output.contains("FAILED") && status.output.contains("interrupted: no worker holds the task (last seen pid "),
                    "\(point): \(status.all)")
            let rerun = try EngineFixtures.worker(["run", "--config", config])
            #expect(rerun.status == 0, "\(point): \(rerun.all.suffix(600))")
            let pushed = try PushedSegments(folder: segments)
            #expect(pushed.names == expected.names, "\(point): segment names differ")
            #expect(pushed.duplicateIds.isEmpty, "\(point): duplicated rows \(pushed.duplicateIds.prefix(5))")
            #expect(Self.rowsById(pushed) == expectedRows, "\(point): rows differ")
            let checkpoint = try await StateFolder(state).checkpoint()
            #expect(checkpoint?.inProgress == nil && checkpoint?.snapshotId != nil, "\(point)")
            let ledger = Set(try await StateFolder(state).ledger().map(\.segment))
            #expect(ledger == Set(pushed.names), "\(point): the ledger names every segment")
            let objects = EngineFixtures.ledgerObjects(state)
            #expect(objects.count == ledger.count, "\(point): one ledger object per segment (\(objects.count) objects, \(ledger.count) segments)")
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: segments))?.filter { $0.hasPrefix(".") } ?? []
            #expect(leftovers.isEmpty, "\(point): partial files \(leftovers)")
        }
    }

    @Test("kills in a row, each rerun killed further on, end as one run")
    func chainedKills() throws {
        let scenario = try Scenario()
        let (referenceConfig, referenceSegments, _) = try scenario.copy("reference")
        #expect(try EngineFixtures.worker(["run", "--config", referenceConfig]).status == 0)
        let expected = Self.rowsById(try PushedSegments(folder: referenceSegments))
        let (config, segments, _) = try scenario.copy("chain")
        for point in ["pushed:2", "checkpointed:2", "decoded:5", "pushed:3"] {
            let killed = try EngineFixtures.worker(["run", "--config", config], environment: ["LAKEINGEST_FAULT_KILL_AT": point])
            #expect(killed.signal == SIGKILL || killed.status == 0, "\(point): \(killed.all.suffix(300))")
        }
        #expect(try EngineFixtures.worker(["run", "--config", config]).status == 0)
        let pushed = try PushedSegments(folder: segments)
        #expect(pushed.duplicateIds.isEmpty)
        #expect(Self.rowsById(pushed) == expected)
    }

    @Test("a first run (no checkpoint) killed part-way resumes with the same segments")
    func firstRun() throws {
        let scenario = try Scenario()
        let fresh = { (label: String) throws -> (String, String) in
            let segments = scenario.root + "/\(label)-segments"
            return (try scenario.config(state: scenario.root + "/\(label)-state", segments: segments), segments)
        }
        let (referenceConfig, referenceSegments) = try fresh("first-reference")
        #expect(try EngineFixtures.worker(["run", "--config", referenceConfig]).status == 0)
        let expected = try PushedSegments(folder: referenceSegments)
        #expect(expected.rowCount == 210)
        for point in ["pushed:2", "checkpointed:3"] {
            let (config, segments) = try fresh("first-\(point.replacingOccurrences(of: ":", with: "-"))")
            let killed = try EngineFixtures.worker(["run", "--config", config], environment: ["LAKEINGEST_FAULT_KILL_AT": point])
            #expect(killed.signal == SIGKILL, "\(point)")
            #expect(try EngineFixtures.worker(["run", "--config", config]).status == 0)
            let pushed = try PushedSegments(folder: segments)
            #expect(pushed.names == expected.names, "\(point)")
            #expect(Self.rowsById(pushed) == Self.rowsById(expected), "\(point)")
        }
        // A new snapshot lands between the kill and the rerun: the rerun first finishes the
        // interrupted snapshot with the same segments, then appends the new one.
        let (config, segments) = try fresh("first-then-append")
        #expect(try EngineFixtures.worker(["run", "--config", config], environment: ["LAKEINGEST_FAULT_KILL_AT": "pushed:3"]).signal == SIGKILL)
        try EngineFixtures.lake(["append", "--state", scenario.lakeState, "--table", "orders", "--batch", "4", "--rows", "20"])
        let rerun = try EngineFixtures.worker(["run", "--config", config])
        #expect(rerun.status == 0, "\(rerun.all.suffix(400))")
        let pushed = try PushedSegments(folder: segments)
        #expect(Set(pushed.names).isSuperset(of: expected.names))
        #expect(pushed.duplicateIds.isEmpty && pushed.rowCount == 230)
    }
}
}
