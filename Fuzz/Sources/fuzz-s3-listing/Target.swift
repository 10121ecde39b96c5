import ObjectStore

/// An S3 ListObjectsV2 answer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = try? S3ObjectStore.listPage(Array(UnsafeBufferPointer(start: data, count: size)), bucket: "fuzz", prefix: "p/")
    return 0
}
