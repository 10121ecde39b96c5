import Benchmark
import Columnar
import Parquet

#if canImport(Glibc)
import Glibc
#endif

/// Single-threaded decode of the files Benchmarks/make_files.py writes: every column of every
/// row group into `RecordBatch`es, as `ingest-worker parquet scan` does. Besides wall clock and
/// allocations, each iteration records its throughput in rows/s and uncompressed MB/s.
let rowsPerSecond = BenchmarkMetric.custom("rows/s", polarity: .prefersLarger, useScalingFactor: false)
let megabytesPerSecond = BenchmarkMetric.custom("uncompressed MB/s", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident, rowsPerSecond, megabytesPerSecond],
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 20
    )
    let directory = dataDirectory()
    for name in ["bench-snappy.parquet", "bench-zstd.parquet"] {
        let path = directory + "/" + name
        guard access(path, R_OK) == 0 else {
            print("skipped \(name): run python3 Benchmarks/make_files.py first")
            continue
        }
        Benchmark("decode \(name)") { benchmark in
            let clock = ContinuousClock()
            let start = clock.now
            let (rows, bytes) = try await decodeAll(path)
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            benchmark.measurement(rowsPerSecond, Int(Double(rows) / seconds))
            benchmark.measurement(megabytesPerSecond, Int(Double(bytes) / seconds / 1e6))
        }
    }
}

/// Decodes every row group; returns the rows and the uncompressed bytes of the column chunks.
func decodeAll(_ path: String) async throws -> (rows: Int, bytes: Int) {
    let reader = try await ParquetFileReader(source: try LocalFileReader(path: path), name: path)
    let fields = try reader.fieldIndices(nil)
    var rows = 0
    var bytes = 0
    for group in reader.metadata.rowGroups.indices {
        let batch = try await reader.readRowGroup(group, fields: fields)
        blackHole(batch)
        rows += batch.rowCount
        bytes += reader.metadata.rowGroups[group].columns.reduce(0) { $0 + Int($1.metaData?.totalUncompressedSize ?? 0) }
    }
    return (rows, bytes)
}

func dataDirectory() -> String {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(2)
    return parts.joined(separator: "/") + "/Data"
}
