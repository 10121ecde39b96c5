import Benchmark
import Engine
import Foundation
import Parquet
import Pinot

/// Building one Pinot segment from the decode benchmark's SNAPPY file (2,000,000 rows, six
/// columns): decode, value rules, dictionaries, forward indexes, metadata; then the gzip tarball.
/// Reports wall clock, rows/s and peak resident memory.
let rowsPerSecond = BenchmarkMetric.custom("rows/s", polarity: .prefersLarger, useScalingFactor: false)

func dataPath() -> String {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(2)
    return parts.joined(separator: "/") + "/Data/bench-snappy.parquet"
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident, rowsPerSecond], maxDuration: .seconds(60), maxIterations: 3)
    Benchmark("segment from 2,000,000 Parquet rows (build + gzip tarball)") { benchmark in
        guard FileManager.default.fileExists(atPath: dataPath()) else {
            print("skipped: run python3 Benchmarks/make_files.py first")
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        let reader = try await ParquetFileReader(source: try LocalFileReader(path: dataPath()), name: "bench")
        let fields = try reader.fieldIndices(nil)
        let schema = try SchemaDerivation(schemaName: "bench", timeColumn: "ts", includePartitionColumns: false)
            .derive(parquet: try reader.outputFields(fields))
        let builder = SegmentBuilder(schema: schema, table: TableConfig(tableName: "bench", timeColumn: "ts"))
        for group in reader.metadata.rowGroups.indices { try builder.add(batch: try await reader.readRowGroup(group, fields: fields)) }
        let segment = try builder.build()
        blackHole(try segment.tarball())
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        benchmark.measurement(rowsPerSecond, Int(Double(reader.rowCount) / seconds))
    }
}
