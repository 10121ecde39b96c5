import Engine
import Foundation
import Pinot
import Synchronization
import Testing
import TestSupport

/// With the push stage slowed down, fetch and decode wait: the decoded bytes and row groups in
/// flight, and the sealed segments waiting, stay within the configured bounds.
extension EngineEndToEnd {
@Suite("engine: backpressure")
struct BackpressureTests {
    @Test("a slow pusher holds decoding within decodedBytesInFlight and sealedSegmentsInFlight")
    func slowPush() async throws {
        let root = EngineFixtures.temporaryDirectory("backpressure")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
        for batch in 1...4 {
            try EngineFixtures.lake(["parquet", "--out", root + "/lake/part-\(batch).parquet", "--batch", String(batch), "--rows", "8000", "--row-group-rows", "500"])
        }
        let budget = 1 << 20
        let (_, configuration) = try EngineFixtures.configuration("""
            {"taskName": "slow", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
             "push": {"outputDir": "segments"}, "stateDir": "state", "segments": {"maxRowsPerSegment": 2000},
             "pipeline": {"decodeConcurrency": 2, "fetchConcurrency": 2, "decodedBytesInFlight": \(budget), "sealedSegmentsInFlight": 1}}
            """, in: root)
        // Pushes to a folder, slowly.
        let pusher = RecordingPusher(forwardingTo: LocalSegmentPusher(outputDir: root + "/segments"), delay: .milliseconds(60))
        let task = IngestionTask(configuration: configuration, pusher: pusher)
        let largest = Mutex(0)
        let decoded = Mutex(0)
        let events = task.events()
        let watcher = Task {
            for await event in events {
                if case .rowGroupDecoded(_, _, _, let bytes) = event {
                    largest.withLock { $0 = max($0, bytes) }
                    decoded.withLock { $0 += 1 }
                }
                if case .runFinished = event { break }
            }
        }
        let report = try await task.run()
        await watcher.value
        #expect(report.completed, "\(report.status?.error?.text ?? "")")
        #expect(report.status?.rowsIngested == 32_000)
        let gauges = task.gauges
        let rowGroup = largest.withLock { $0 }
        #expect(decoded.withLock { $0 } == 64)
        #expect(rowGroup > 0 && rowGroup * 8 < budget, "row groups are small against the budget (\(rowGroup) bytes)")
        #expect(gauges.peakBytesInFlight <= budget + 2 * rowGroup, "peak \(gauges.peakBytesInFlight) bytes decoded and waiting")
        #expect(gauges.peakRowGroupsInFlight < 64 / 2, "decoding waited: at most \(gauges.peakRowGroupsInFlight) of 64 row groups in flight")
        #expect(gauges.peakSealedInFlight <= 1 + 2, "sealed segments waiting: \(gauges.peakSealedInFlight)")
        #expect(gauges.bytesInFlight == 0 && gauges.rowGroupsInFlight == 0 && gauges.sealedInFlight == 0)
        #expect(pusher.pushCount == 16)
    }
}
}
