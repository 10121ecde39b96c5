import Iceberg

/// Iceberg table metadata JSON (v1/v2/v3): schemas, specs, snapshots, refs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let metadata = try? TableMetadata.parse(bytes, source: "fuzz.metadata.json"), let id = metadata.mainSnapshotId {
        _ = metadata.snapshot(id: id)
    }
    return 0
}
