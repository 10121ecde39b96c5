// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "LakeIngest",
    products: [
        .library(name: "Failures", targets: ["Failures"]),
        .library(name: "Codecs", targets: ["Codecs"]),
        .library(name: "Columnar", targets: ["Columnar"]),
        .library(name: "Parquet", targets: ["Parquet"]),
        .library(name: "Avro", targets: ["Avro"]),
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
        .library(name: "Iceberg", targets: ["Iceberg"]),
        .library(name: "Pinot", targets: ["Pinot"]),
        .library(name: "PinotController", targets: ["PinotController"]),
        .library(name: "Engine", targets: ["Engine"]),
        .executable(name: "ingest-worker", targets: ["ingest-worker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        /// glibc's malloc tuning (mallopt), for the worker process only.
        .systemLibrary(name: "CMalloc"),
        /// Small C helpers with no Swift spelling (a prefetch hint).
        .target(name: "CSupport"),
        /// The error spine: the shape every target's error shares (`LakeIngestError`), its
        /// `ErrorContext` and the `FailureCategory` the status reports.
        .target(name: "Failures"),
        .target(name: "Codecs", dependencies: ["Failures", "CSnappy", "CZstd", "CZlib", "CLZ4"]),
        .target(name: "Columnar"),
        /// Bounded work in flight with results in order: one state machine and its task-group driver.
        .target(name: "BoundedWork"),
        .target(name: "Parquet", dependencies: ["Failures", "Codecs", "Columnar"]),
        .target(name: "Avro", dependencies: ["Failures", "Codecs"]),
        .target(
            name: "ObjectStore",
            dependencies: [
                "Failures",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Iceberg", dependencies: ["Failures", "Avro", "ObjectStore", "BoundedWork"]),
        /// The Pinot segment format: schema, builder, reader, segment files. No network.
        .target(name: "Pinot", dependencies: ["Failures", "Columnar", "Codecs", "CSupport"]),
        /// The Pinot controller client: schema and table APIs, segment push.
        .target(
            name: "PinotController",
            dependencies: [
                "Failures", "Pinot", "ObjectStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Engine",
            dependencies: [
                "Failures", "Parquet", "ObjectStore", "Iceberg", "Avro", "Pinot", "PinotController", "Columnar", "Codecs", "BoundedWork",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        /// `serve`: many tasks in one process on their schedules, the HTTP API, the status page
        /// and Prometheus metrics.
        .target(
            name: "Service",
            dependencies: [
                "Engine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .executableTarget(
            name: "ingest-worker",
            dependencies: [
                "Engine", "Service", "Parquet", "Pinot", "Columnar", "CMalloc",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// What the test targets share: repository paths, a process runner, temporary folders,
        /// the seeded generator, a recording pusher and fixture loaders.
        .target(name: "TestSupport", dependencies: ["Engine", "Iceberg", "Pinot", "Columnar"], path: "Tests/TestSupport"),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs", "TestSupport"]),
        .testTarget(name: "BoundedWorkTests", dependencies: ["BoundedWork", "TestSupport"]),
        .testTarget(name: "AvroTests", dependencies: ["Avro", "TestSupport"]),
        .testTarget(name: "PinotTests", dependencies: ["Pinot", "Columnar", "Codecs", "Parquet", "TestSupport"]),
        .testTarget(name: "IcebergTests", dependencies: ["Iceberg", "Engine", "Pinot", "ObjectStore", "Avro", "Parquet", "Codecs", "TestSupport"]),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "Iceberg", "Pinot", "ObjectStore", "Parquet", "Columnar", "TestSupport"]
        ),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "Columnar", "Codecs", "TestSupport"]),
        .testTarget(
            name: "ObjectStoreTests",
            dependencies: [
                "ObjectStore", "Engine", "Parquet", "Columnar", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        /// The `ingest-worker` binary run as a process (`swift build` builds it first).
        .testTarget(name: "CLITests", dependencies: ["ObjectStore", "Pinot", "Columnar", "TestSupport"]),
        .testTarget(name: "ColumnarTests", dependencies: ["Columnar", "TestSupport"]),
        .testTarget(name: "ServiceTests", dependencies: ["Service", "Engine", "TestSupport", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "FailuresTests", dependencies: ["Failures", "Codecs", "Parquet", "ObjectStore", "Engine"]),
    ]
)
