import Benchmark
import Engine
import Foundation
import Pinot

/// `segment create`'s path in one process: the 10,000,000-row, 8-column file of the
/// segment-speed issue (`python3 Benchmarks/make_files.py`: int64 ids, millisecond timestamps,
/// 200k-distinct int64s, 16- and 200-value strings, a 1.6M-distinct string, 100k-distinct
/// doubles, small int32s; snappy, 1M-row row groups) decoded, built and written as a zstd (and a
/// gzip) tarball on every core. Reports CPU, wall clock, rows/s, mallocs (divide by 10M for
/// mallocs per row) and peak resident memory. Whole-process figures against pyarrow, and one
/// core against all: `python3 Benchmarks/segment_build.py`.
let rowsPerSecond = BenchmarkMetric.custom("rows/s", polarity: .prefersLarger, useScalingFactor: false)

func dataPath() -> String {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(2)
    return parts.joined(separator: "/") + "/Data/segment-10m.parquet"
}

func createSegment(_ compression: TarballCompression, _ benchmark: Benchmark) async throws {
    guard FileManager.default.fileExists(atPath: dataPath()) else {
        print("skipped: run python3 Benchmarks/make_files.py first")
        return
    }
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("segment-build-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    let clock = ContinuousClock()
    let start = clock.now
    var creation = SegmentCreation(inputs: [dataPath()], outputDir: out)
    creation.compression = compression
    blackHole(try await creation.run())
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    benchmark.measurement(rowsPerSecond, Int(10_000_000 / seconds))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.cpuTotal, .wallClock, .mallocCountTotal, .peakMemoryResident, rowsPerSecond],
        warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 3)
    Benchmark("segment create, 10M rows x 8 columns, zstd") { benchmark in try await createSegment(.zstd, benchmark) }
    Benchmark("segment create, 10M rows x 8 columns, gzip") { benchmark in try await createSegment(.gzip, benchmark) }
}
