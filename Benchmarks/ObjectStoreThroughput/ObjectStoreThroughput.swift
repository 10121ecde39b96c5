import Benchmark
import Engine
import ObjectStore
import Parquet

#if canImport(Glibc)
import Glibc
#endif

/// Ranged GET throughput of `S3ObjectStore` on loopback (signing, HTTP, copying into the result
/// buffer), one stream and 8 concurrent; and the requests a Parquet read costs: footer plus
/// coalesced column chunks for a 20-column file read with 5 projected columns.
let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
let requestCount = BenchmarkMetric.custom("requests", polarity: .prefersSmaller, useScalingFactor: false)

let objectSize = 128 << 20
let rangeSize = 8 << 20

func store(_ endpoint: String) -> S3ObjectStore {
    S3ObjectStore(S3Configuration(
        bucket: "bench", region: "us-east-1",
        credentials: AWSCredentials(accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret"),
        endpoint: endpoint, pathStyle: true))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident, megabytesPerSecond],
        warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 10)

    for streams in [1, 8] {
        Benchmark("ranged GET 8 MiB x 32, \(streams) stream\(streams == 1 ? "" : "s")") { benchmark in
            let server = LoopbackServer(object: (0..<objectSize).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) })
            let endpoint = try await server.start()
            let s3 = store(endpoint)
            benchmark.startMeasurement()
            let clock = ContinuousClock()
            let start = clock.now
            try await withThrowingTaskGroup(of: Int.self) { group in
                let perStream = 32 / streams
                for stream in 0..<streams {
                    group.addTask {
                        var bytes = 0
                        for i in 0..<perStream {
                            let offset = ((stream * perStream + i) * rangeSize) % (objectSize - rangeSize + 1)
                            bytes += try await s3.get("object", range: .bounded(offset..<offset + rangeSize)).count
                        }
                        return bytes
                    }
                }
                var total = 0
                for try await bytes in group { total += bytes }
                let elapsed = clock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                benchmark.measurement(megabytesPerSecond, Int(Double(total) / seconds / 1e6))
            }
            benchmark.stopMeasurement()
            try await server.stop()
        }
    }

    Benchmark("Parquet on S3: 20 columns, 5 projected, requests",
              configuration: .init(metrics: [.wallClock, requestCount], maxIterations: 3)) { benchmark in
        let path = dataDirectory() + "/wide-20.parquet"
        guard let file = try? LocalFileReader(path: path) else {
            print("skipped: run python3 Benchmarks/make_files.py first")
            return
        }
        let bytes = try file.readSync(0..<(try await file.size()))
        let server = LoopbackServer(object: bytes)
        let endpoint = try await server.start()
        let reader = try await ParquetFileReader(
            source: ObjectParquetSource(store: store(endpoint), key: "wide-20.parquet", size: bytes.count), name: "wide-20")
        let fields = try reader.fieldIndices(["c00", "c04", "c09", "c14", "c19"])
        for group in reader.metadata.rowGroups.indices { blackHole(try await reader.readRowGroup(group, fields: fields)) }
        benchmark.measurement(requestCount, server.requests.withLock { $0 })
        try await server.stop()
    }
}

func dataDirectory() -> String {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(2)
    return parts.joined(separator: "/") + "/Data"
}
