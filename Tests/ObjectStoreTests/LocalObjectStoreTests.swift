import Foundation
@testable import ObjectStore
import Testing
import TestSupport

@Suite("local object store")
struct LocalObjectStoreTests {
    func makeStore() throws -> (LocalObjectStore, String) {
        let root = TemporaryFolder.uniquePath("local")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return (LocalObjectStore(location: "file://" + root), root)
    }

    @Test("put, get, ranges, head and listing behave like S3")
    func semantics() async throws {
        let (store, root) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let body = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
        try await store.put("t/day=2024-01-02/b.parquet", body: body)
        try await store.put("t/day=2024-01-01/a.parquet", body: [1, 2])
        try await store.put("t/_SUCCESS", body: [])
        try await store.put("u/x", body: [9])
        #expect(try await store.get("t/day=2024-01-02/b.parquet", range: .bounded(0..<1)) == [0])
        #expect(try await store.get("t/day=2024-01-02/b.parquet", range: .bounded(990..<2000)) == Array(body[990...]))
        #expect(try await store.get("t/day=2024-01-02/b.parquet", range: .suffix(3)) == Array(body.suffix(3)))
        #expect(try await store.head("t/_SUCCESS").size == 0)
        let error = await #expect(throws: ObjectStoreError.self) { try await store.get("t/_SUCCESS", range: .bounded(5..<6)) }
        #expect(error?.code == .invalidRange)
        let missing = await #expect(throws: ObjectStoreError.self) { try await store.get("t/none") }
        #expect(missing?.code == .noSuchKey)
        let keys = try await store.listAll(prefix: "t/").map(\.key)
        #expect(keys == ["t/_SUCCESS", "t/day=2024-01-01/a.parquet", "t/day=2024-01-02/b.parquet"])
        #expect(try await store.listAll(prefix: "t/day=2024-01-0").count == 2)
        try await store.put("u/x", body: [7, 7])
        #expect(try await store.get("u/x") == [7, 7])
    }

    @Test("a symbolic link lists, heads and reads as the file it points to")
    func symbolicLinks() async throws {
        let (store, root) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let body = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 3) }
        try await store.put("real/data.parquet", body: body)
        try FileManager.default.createDirectory(atPath: root + "/links", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/links/copy-1.parquet", withDestinationPath: root + "/real/data.parquet")
        let listed = try await store.listAll(prefix: "links/")
        #expect(listed.map(\.key) == ["links/copy-1.parquet"])
        #expect(listed.first?.size == body.count, "the file's size, not the link's")
        #expect(try await store.head("links/copy-1.parquet").size == body.count)
        #expect(try await store.get("links/copy-1.parquet", range: .suffix(10)) == Array(body.suffix(10)))
    }

    @Test("range coalescing merges only ranges within the gap")
    func coalescing() {
        let groups = RangeCoalescing.groups([0..<10, 15..<20, 100..<110, 5..<8], maxGap: 5)
        #expect(groups == [
            RangeCoalescing.Group(span: 0..<20, members: [0, 3, 1]),
            RangeCoalescing.Group(span: 100..<110, members: [2]),
        ])
    }

    @Test("the range cost model: a gap is read rather than paid for with another request while it costs less than one")
    func rangeCostModel() {
        #expect(RangeCostModel.standard.maxGap == 2_000_000, "20 ms at 100 MB/s")
        #expect(RangeCostModel(firstByteLatency: 0.050, bandwidth: 50e6).maxGap == 2_500_000)
        #expect(RangeCostModel(firstByteLatency: 0.001, bandwidth: 1e9).maxGap == 1_000_000)
        let ranges = [0..<10, 1_000_010..<1_000_020]
        #expect(RangeCoalescing.groups(ranges, maxGap: RangeCostModel.standard.maxGap).count == 1)
        #expect(RangeCoalescing.groups(ranges, maxGap: RangeCostModel(firstByteLatency: 0.005, bandwidth: 100e6).maxGap).count == 2)
    }
}
