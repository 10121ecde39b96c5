import Iceberg

/// The Iceberg REST catalog's JSON answers: the first byte picks config, namespaces, tables or
/// loadTable, the rest is the answer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 4 {
    case 0: _ = try? CatalogAnswers.config(bytes)
    case 1: _ = try? CatalogAnswers.namespaces(bytes)
    case 2: _ = try? CatalogAnswers.tables(bytes, namespace: ["fuzz"])
    default: _ = try? CatalogAnswers.loadTable(bytes, name: "fuzz.table")
    }
    return 0
}
