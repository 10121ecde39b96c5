import Parquet

/// The Thrift compact reader through `FileMetaData`: the input is a footer's bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let metadata = try? FileMetaData.decode(bytes, fileOffset: 4) {
        _ = try? ParquetSchema(elements: metadata.schema)
    }
    return 0
}
