// swift-tools-version: 6.1
// Coverage-guided fuzz targets (libFuzzer), a package of their own so the product's build stays
// lean. Build and run with `make fuzz` in the repository root (see README.md, "Fuzzing").
import PackageDescription

/// Each target: its folder under Sources/, and the LakeIngest products it exercises.
let targets: [(name: String, products: [String])] = [
    ("fuzz-thrift-footer", ["Parquet"]),
    ("fuzz-parquet-file", ["Parquet"]),
    ("fuzz-avro-container", ["Avro"]),
    ("fuzz-iceberg-metadata", ["Iceberg"]),
    ("fuzz-iceberg-manifest", ["Iceberg", "Avro"]),
    ("fuzz-segment-reader", ["Pinot"]),
    ("fuzz-s3-listing", ["ObjectStore"]),
    ("fuzz-catalog-answers", ["Iceberg"]),
]

let package = Package(
    name: "LakeIngestFuzz",
    dependencies: [.package(name: "LakeIngest", path: "..")],
    targets: targets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: target.products.map { .product(name: $0, package: "LakeIngest") },
            // libFuzzer supplies `main`; the target only defines LLVMFuzzerTestOneInput.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
