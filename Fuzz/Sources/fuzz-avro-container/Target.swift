import Avro
import Codecs

/// An Avro object container file: header, schema JSON, blocks, codecs, records.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? AvroContainerFile(bytes: bytes, name: "fuzz.avro", limits: DecompressionLimits(maxOutputBytes: 16 << 20))
    return 0
}
