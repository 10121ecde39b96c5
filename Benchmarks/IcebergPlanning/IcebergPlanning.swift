import Benchmark
import Foundation
import Iceberg

/// Planning cost on a table of 200 snapshots, 200 manifests and 20,000 data files (written by
/// `python3 Tests/Fixtures/iceberg/make_planning_table.py` into /tmp/lakeingest-iceberg-planning):
/// a first run (every live file) and an incremental plan over the last 100 snapshots. Reports
/// wall clock and the manifest lists and manifests read.
let objectsRead = BenchmarkMetric.custom("objects read", polarity: .prefersSmaller, useScalingFactor: false)
let filesPlanned = BenchmarkMetric.custom("files planned", polarity: .prefersLarger, useScalingFactor: false)
let summaryPath = "/tmp/lakeingest-iceberg-planning/planning.json"

func loadMetadata() async throws -> TableMetadata? {
    guard let data = FileManager.default.contents(atPath: summaryPath),
          let summary = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let location = summary["metadataLocation"] as? String else {
        print("skipped: run python3 Tests/Fixtures/iceberg/make_planning_table.py first")
        return nil
    }
    return try TableMetadata.parse(try await FileIO.local.read(location), source: location)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, objectsRead, filesPlanned], maxIterations: 5)

    Benchmark("plan first run: 200 manifests, 20,000 files") { benchmark in
        guard let metadata = try await loadMetadata() else { return }
        benchmark.startMeasurement()
        let plan = try await IncrementalPlanner(metadata: metadata, io: .local).plan(from: nil)
        benchmark.stopMeasurement()
        benchmark.measurement(objectsRead, plan.objectsRead)
        benchmark.measurement(filesPlanned, plan.steps.reduce(0) { $0 + $1.files.count })
    }

    Benchmark("plan 100 new snapshots incrementally") { benchmark in
        guard let metadata = try await loadMetadata() else { return }
        let ancestry = metadata.mainAncestry()
        let checkpoint = Checkpoint(snapshotId: ancestry[99].snapshotId, sequenceNumber: ancestry[99].sequenceNumber)
        benchmark.startMeasurement()
        let plan = try await IncrementalPlanner(metadata: metadata, io: .local).plan(from: checkpoint)
        benchmark.stopMeasurement()
        benchmark.measurement(objectsRead, plan.objectsRead)
        benchmark.measurement(filesPlanned, plan.steps.reduce(0) { $0 + $1.files.count })
    }
}
