// swift-tools-version: 6.1
// Benchmarks live in their own package so that CI's build of the root package stays lean.
import PackageDescription

let package = Package(
    name: "LakeIngestBenchmarks",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "ParquetDecode",
            dependencies: [
                .product(name: "Parquet", package: "main"),
                .product(name: "Columnar", package: "main"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "ParquetDecode",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ObjectStoreThroughput",
            dependencies: [
                .product(name: "ObjectStore", package: "main"),
                .product(name: "Engine", package: "main"),
                .product(name: "Parquet", package: "main"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "ObjectStoreThroughput",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "IcebergPlanning",
            dependencies: [
                .product(name: "Iceberg", package: "main"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "IcebergPlanning",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SegmentBuild",
            dependencies: [
                .product(name: "Parquet", package: "main"),
                .product(name: "Pinot", package: "main"),
                .product(name: "Engine", package: "main"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "SegmentBuild",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "PushThroughput",
            dependencies: [
                .product(name: "Pinot", package: "main"),
                .product(name: "PinotController", package: "main"),
                .product(name: "ObjectStore", package: "main"),
            ],
            path: "PushThroughput"
        ),
    ]
)
