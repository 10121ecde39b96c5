import Pinot

/// A Pinot segment tarball (plain tar seeds, so mutations reach the tar headers,
/// metadata.properties, index_map and the index buffers; gzip and zstd are read too), then every
/// column's values.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let reader = try? SegmentReader(tarball: bytes, name: "fuzz.tar") {
        _ = try? reader.columns(maxDocs: 20_000)
    }
    _ = try? SegmentMetadata(text: String(decoding: bytes, as: UTF8.self))
    return 0
}
