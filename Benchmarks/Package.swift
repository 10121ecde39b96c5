// swift-tools-version: 6.1
// Benchmarks live in their own package so that CI's build of the root package stays lean.
import PackageDescription

let package = Package(
    name: "LakeIngestBenchmarks",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
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
    ]
)
