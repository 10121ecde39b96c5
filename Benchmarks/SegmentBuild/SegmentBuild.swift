import Benchmark
import Engine
import Foundation
import Parquet
import Pinot

/// Building one Pinot segment from a 5,000,000-row, 8-column Parquet file (ids, timestamps, low-
/// and high-cardinality strings, doubles; `python3 Benchmarks/make_files.py`): decode, value
/// rules, dictionaries, forward indexes, metadata, gzip tarball — with the dictionary fast path
/// and without it. Reports wall clock, rows/s, uncompressed MB/s and peak resident memory.
let rowsPerSecond = BenchmarkMetric.custom("rows/s", polarity: .prefersLarger, useScalingFactor: false)
let megabytesPerSecond = BenchmarkMetric.custom("uncompressed MB/s", polarity: .prefersLarger, useScalingFactor: false)

func dataPath() -> String {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(2)
    return parts.joined(separator: "/") + "/Data/segment-5m.parquet"
}

func buildSegment(fastPath: Bool, _ benchmark: Benchmark) async throws {
    guard FileManager.default.fileExists(atPath: dataPath()) else {
        print("skipped: run python3 Benchmarks/make_files.py first")
        return
    }
    let clock = ContinuousClock()
    let start = clock.now
    let reader = try await ParquetFileReader(source: try LocalFileReader(path: dataPath()), name: "segment-5m")
    let fields = try reader.fieldIndices(nil)
    let schema = try SchemaDerivation(schemaName: "bench", timeColumn: "ts", includePartitionColumns: false)
        .derive(parquet: try reader.outputFields(fields))
    let builder = try SegmentBuilder(schema: schema, table: TableConfig(tableName: "bench", timeColumn: "ts"))
    var bytes = 0
    for group in reader.metadata.rowGroups.indices {
        try builder.add(batch: try await reader.readRowGroup(group, fields: fields), dictionaryFastPath: fastPath)
        bytes += reader.metadata.rowGroups[group].columns.reduce(0) { $0 + Int($1.metaData?.totalUncompressedSize ?? 0) }
    }
    blackHole(try builder.build().tarball())
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    benchmark.measurement(rowsPerSecond, Int(Double(reader.rowCount) / seconds))
    benchmark.measurement(megabytesPerSecond, Int(Double(bytes) / seconds / 1e6))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident, rowsPerSecond, megabytesPerSecond], warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 2)
    Benchmark("segment from 5M rows x 8 columns, dictionary fast path") { benchmark in try await buildSegment(fastPath: true, benchmark) }
    Benchmark("segment from 5M rows x 8 columns, value by value") { benchmark in try await buildSegment(fastPath: false, benchmark) }
}
