import Foundation
@testable import Iceberg
import ObjectStore
import Testing

@Suite("Iceberg FileIO: locations as writers record them")
struct FileIOTests {
    @Test("file:/x (Hadoop's local file IO), file://x and file:///x are one location; s3a:// and s3n:// read as s3://")
    func spellings() throws {
        #expect(FileIO.canonical("file:/warehouse/db/t/data/a.parquet") == "file:///warehouse/db/t/data/a.parquet")
        #expect(FileIO.canonical("file:///warehouse/a") == "file:///warehouse/a" && FileIO.canonical("file://warehouse/a") == "file:///warehouse/a")
        #expect(FileIO.canonical("s3a://bucket/k") == "s3://bucket/k" && FileIO.canonical("s3n://bucket/k") == "s3://bucket/k")
        #expect(FileIO.canonical("s3://bucket/k") == "s3://bucket/k" && FileIO.canonical("/abs/path") == "/abs/path")

        let folder = FileManager.default.temporaryDirectory.path + "/fileio-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder + "/moved/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("rows".utf8).write(to: URL(fileURLWithPath: folder + "/moved/data/a.parquet"))
        // A table Spark wrote under file:/tmp/gen/t, read where it now is.
        let io = FileIO.local.mapping("file:/tmp/gen/t", to: "file://" + folder + "/moved")
        let (store, key) = try io.resolve("file:/tmp/gen/t/data/a.parquet")
        #expect(key == String((folder + "/moved/data/a.parquet").dropFirst()))
        #expect(store is LocalObjectStore)
        #expect(io.mapped("file:///tmp/gen/t/data/a.parquet") == "file://" + folder + "/moved/data/a.parquet", "either spelling maps")
        let s3 = FileIO(s3Store: { bucket in LocalObjectStore(root: "/nowhere/" + bucket) })
        #expect(try s3.resolve("s3a://lake/warehouse/x.parquet").key == "warehouse/x.parquet")
        #expect(throws: IcebergError.self) { try s3.resolve("gs://lake/x") }
    }
}
