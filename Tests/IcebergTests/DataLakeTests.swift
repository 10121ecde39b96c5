import Engine
import Foundation
import Iceberg
import ObjectStore
import Testing
import TestSupport

@Suite("S3 data lake listing")
struct DataLakeTests {
    @Test("Parquet files under a location, skipping markers, hidden and empty files; new ones by key and ETag")
    func listing() async throws {
        try await withTemporaryFolder("lake") { root in
            let store = LocalObjectStore(root: root)
            try await store.put("t/day=2024-01-01/a.parquet", body: [1])
            try await store.put("t/day=2024-01-02/b.parquet", body: [2, 2])
            try await store.put("t/day=2024-01-02/_SUCCESS", body: [])
            try await store.put("t/_tmp/c.parquet", body: [3])
            try await store.put("t/.d.parquet", body: [4])
            try await store.put("t/empty.parquet", body: [])
            try await store.put("t/notes.txt", body: [5])
            let files = try await DataLakeListing.parquetFiles(at: "file://" + root + "/t", io: .local)
            #expect(files.map(\.uri) == ["file://\(root)/t/day=2024-01-01/a.parquet", "file://\(root)/t/day=2024-01-02/b.parquet"])
            let first = files[0]
            let fresh = DataLakeListing.newFiles(files, ingested: [first.uri: first.info.etag ?? ""])
            #expect(fresh.map(\.uri) == [files[1].uri])
            let changed = DataLakeListing.newFiles(files, ingested: [first.uri: "old-etag", files[1].uri: files[1].info.etag ?? ""])
            #expect(changed.map(\.uri) == [first.uri])
        }
    }
}
