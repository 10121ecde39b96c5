import Foundation
import Columnar
import Engine
import ObjectStore
import Parquet
import Testing
import TestSupport

/// The S3 store against a real S3-protocol server: moto's standalone server with signature
/// checking on, started by the test command (Tests/Fixtures/s3/with_s3.sh) and described by
/// LAKEINGEST_S3_* variables.
@Suite("S3 against moto", .serialized)
struct S3IntegrationTests {
    struct Server {
        var endpoint: String
        var region: String
        var credentials: AWSCredentials
    }

    static let server: Server? = {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = env["LAKEINGEST_S3_ENDPOINT"], let key = env["LAKEINGEST_S3_ACCESS_KEY"],
              let secret = env["LAKEINGEST_S3_SECRET_KEY"] else {
            print("skipped: LAKEINGEST_S3_ENDPOINT not set; run the suite with `make test` (Tests/Fixtures/s3/with_s3.sh starts moto)")
            return nil
        }
        return Server(endpoint: endpoint, region: env["LAKEINGEST_S3_REGION"] ?? "us-east-1",
                      credentials: AWSCredentials(accessKeyId: key, secretAccessKey: secret))
    }()

    @Test("the S3 server is there (under CI=true its absence fails)")
    func serverPresent() {
        RequiredInput.check(Self.server != nil, "CI=true and LAKEINGEST_S3_ENDPOINT is not set: run the suite through make test")
    }

    static func store(_ bucket: String, credentials: AWSCredentials? = nil, pageSize: Int? = nil) -> S3ObjectStore {
        let server = server!
        return S3ObjectStore(S3Configuration(
            bucket: bucket, region: server.region, credentials: credentials ?? server.credentials,
            endpoint: server.endpoint, pathStyle: true, listPageSize: pageSize))
    }

    static func freshBucket(_ name: String) async throws -> S3ObjectStore {
        let bucket = "\(name)-\(UInt32.random(in: 0...UInt32.max))"
        let store = store(bucket)
        try await store.createBucket()
        return store
    }

    @Test("a wrong secret key is signatureMismatch; an unknown key is invalidAccessKey", .enabled(if: server != nil))
    func credentialErrors() async throws {
        let good = try await Self.freshBucket("creds")
        try await good.put("k", body: [1, 2, 3])
        let server = Self.server!
        let wrongSecret = Self.store(good.bucket, credentials: AWSCredentials(
            accessKeyId: server.credentials.accessKeyId, secretAccessKey: "wrong-secret-value"))
        let error = await #expect(throws: ObjectStoreError.self) { try await wrongSecret.get("k") }
        #expect(error?.code == .signatureMismatch)
        #expect(error?.status == 403)
        let unknown = Self.store(good.bucket, credentials: AWSCredentials(accessKeyId: "AKIAUNKNOWN0000000000", secretAccessKey: "x"))
        let second = await #expect(throws: ObjectStoreError.self) { try await unknown.get("k") }
        #expect(second?.code == .invalidAccessKey)
        for failure in [error, second].compactMap({ $0 }) {
            #expect(!"\(failure)".contains(server.credentials.secretAccessKey))
            #expect(!"\(failure)".contains("wrong-secret-value"))
        }
    }

    @Test("listing 2,500 keys returns each exactly once across pages", .enabled(if: server != nil))
    func listingAcrossPages() async throws {
        let store = try await Self.freshBucket("list")
        let keys = (0..<2_500).map { "p/\(String(format: "%05d", $0 * 7 % 2_500)).parquet" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chunk in stride(from: 0, to: keys.count, by: 313) {
                let slice = keys[chunk..<min(chunk + 313, keys.count)]
                group.addTask { for key in slice { try await store.put(key, body: Array(key.utf8)) } }
            }
            try await group.waitForAll()
        }
        try await store.put("other/x", body: [1])
        let listed = try await store.listAll(prefix: "p/")
        #expect(listed.count == 2_500)
        #expect(Set(listed.map(\.key)) == Set(keys))
        #expect(listed.map(\.key) == listed.map(\.key).sorted())
        #expect(listed.allSatisfy { $0.size == $0.key.utf8.count && $0.etag != nil })
        let small = Self.store(store.bucket, pageSize: 97)
        #expect(try await small.listAll(prefix: "p/0").map(\.key) == keys.filter { $0.hasPrefix("p/0") }.sorted())
    }

    @Test("ranged reads are byte-exact at the edges", .enabled(if: server != nil))
    func rangedReads() async throws {
        let store = try await Self.freshBucket("ranges")
        let body = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 13 + 5) }
        try await store.put("obj", body: body)
        #expect(try await store.get("obj", range: .bounded(0..<1)) == [body[0]])
        #expect(try await store.get("obj", range: .bounded(9_999..<10_000)) == [body[9_999]])
        #expect(try await store.get("obj", range: .bounded(123..<4_567)) == Array(body[123..<4_567]))
        #expect(try await store.get("obj", range: .suffix(8)) == Array(body.suffix(8)))
        #expect(try await store.get("obj", range: .suffix(20_000)) == body)
        #expect(try await store.get("obj", range: .bounded(9_990..<20_000)) == Array(body[9_990...]))
        let error = await #expect(throws: ObjectStoreError.self) { try await store.get("obj", range: .bounded(10_000..<10_010)) }
        #expect(error?.code == .invalidRange)
        #expect(try await store.head("obj").size == 10_000)
    }

    @Test("objects of 0 bytes and 100 MiB", .enabled(if: server != nil))
    func sizes() async throws {
        let store = try await Self.freshBucket("sizes")
        try await store.put("empty", body: [])
        #expect(try await store.get("empty") == [])
        #expect(try await store.head("empty").size == 0)
        var big = [UInt8](repeating: 0, count: 100 << 20)
        for i in stride(from: 0, to: big.count, by: 4096) { big[i] = UInt8(truncatingIfNeeded: i >> 12) }
        try await store.put("big", body: big)
        #expect(try await store.head("big").size == big.count)
        let back = try await store.get("big")
        #expect(back.count == big.count)
        #expect(back == big)
        #expect(try await store.get("big", range: .bounded((100 << 20) - 5000..<(100 << 20))) == Array(big.suffix(5000)))
    }

    @Test("a file above the multipart threshold goes up in parts and reads back byte for byte", .enabled(if: server != nil))
    func multipart() async throws {
        let plain = try await Self.freshBucket("multipart")
        var configuration = plain.configuration
        configuration.multipartThreshold = 8 << 20
        configuration.partSize = 5 << 20
        let store = S3ObjectStore(configuration)
        let path = TemporaryFolder.uniquePath("multipart")
        defer { unlink(path) }
        var bytes = [UInt8](repeating: 0, count: (17 << 20) + 123)
        for i in stride(from: 0, to: bytes.count, by: 997) { bytes[i] = UInt8(truncatingIfNeeded: i / 997) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try await store.putFile("deep/segment.tar.gz", path: path)
        #expect(try await store.head("deep/segment.tar.gz").size == bytes.count)
        #expect(try await store.get("deep/segment.tar.gz") == bytes)
        // Below the threshold: one PUT.
        try Data(bytes.prefix(1000)).write(to: URL(fileURLWithPath: path))
        try await store.putFile("small", path: path)
        #expect(try await store.get("small") == Array(bytes.prefix(1000)))
    }

    @Test("keys with spaces, unicode, + and = round-trip and list by prefix", .enabled(if: server != nil))
    func awkwardKeys() async throws {
        let store = try await Self.freshBucket("keys")
        let keys = ["day=2024-01-01/part 1.parquet", "a/b/ü ñ+x.txt", "a/b/c=d&e.txt", "a+b/plain.txt", "x/~tilde (1).json"]
        for key in keys { try await store.put(key, body: Array(key.utf8)) }
        for key in keys {
            #expect(try await store.get(key) == Array(key.utf8), "\(key)")
            #expect(try await store.head(key).size == key.utf8.count)
        }
        #expect(try await store.listAll(prefix: "day=2024-01-01/").map(\.key) == ["day=2024-01-01/part 1.parquet"])
        #expect(try await store.listAll(prefix: "a/b/").map(\.key) == ["a/b/c=d&e.txt", "a/b/ü ñ+x.txt"])
        #expect(try await store.listAll(prefix: "a+b/").map(\.key) == ["a+b/plain.txt"])
    }

    @Test("missing keys and buckets are typed errors naming them", .enabled(if: server != nil))
    func missing() async throws {
        let store = try await Self.freshBucket("missing")
        let noKey = await #expect(throws: ObjectStoreError.self) { try await store.get("nope/x.parquet") }
        #expect(noKey?.code == .noSuchKey)
        #expect(noKey?.key == "nope/x.parquet")
        #expect(noKey?.bucket == store.bucket)
        let headMissing = await #expect(throws: ObjectStoreError.self) { try await store.head("nope") }
        #expect(headMissing?.code == .noSuchKey)
        let noBucket = Self.store("no-such-bucket-\(UInt32.random(in: 0...UInt32.max))")
        let error = await #expect(throws: ObjectStoreError.self) { try await noBucket.get("k") }
        #expect(error?.code == .noSuchBucket)
    }

    @Test("a ranged reader coalesces nearby ranges into one request", .enabled(if: server != nil))
    func coalescedReads() async throws {
        let store = try await Self.freshBucket("coalesce")
        let body = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try await store.put("f", body: body)
        let reader = ObjectRangeReader(store: store, key: "f", size: body.count, coalesceGap: 1000)
        let ranges = [40_000..<41_000, 100..<200, 500..<900, 41_500..<42_000]
        let parts = try await reader.read(ranges: ranges)
        for (range, part) in zip(ranges, parts) { #expect(part == Array(body[range])) }
        #expect(RangeCoalescing.groups(ranges, maxGap: 1000).count == 2)
    }
}

extension S3IntegrationTests {
    static let fixtures = Repository.fixtures + "/writer-matrix"

    /// Compared as printed values: NaN is not equal to itself as a Double.
    static func expectSameValues(_ batch: RecordBatch, _ expected: RecordBatch, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(batch.rowCount == expected.rowCount, sourceLocation: sourceLocation)
        for (column, other) in zip(batch.columns, expected.columns) {
            #expect((0..<batch.rowCount).allSatisfy { column.value(at: $0).jsonText == other.value(at: $0).jsonText }, sourceLocation: sourceLocation)
        }
    }

    @Test("a Parquet file on S3: one footer read, then one coalesced read per row group", .enabled(if: server != nil))
    func parquetOverS3() async throws {
        let store = try await Self.freshBucket("parquet")
        let path = Self.fixtures + "/pyarrow-snappy-dict-v1.parquet"
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        try await store.put("t/data/part-0.parquet", body: bytes)
        let counting = CountingStore(store)
        let remote = try await ParquetFileReader(
            source: ObjectParquetSource(store: counting, key: "t/data/part-0.parquet", size: bytes.count), name: "s3://parquet/part-0")
        #expect(counting.getCount == 1)
        let local = try await ParquetFileReader(source: try LocalFileReader(path: path), name: path)
        let fields = try remote.fieldIndices(["i32", "str_low", "f64", "ts_us", "dec9_2"])
        for group in remote.metadata.rowGroups.indices {
            let before = counting.getCount
            let batch = try await remote.readRowGroup(group, fields: fields)
            #expect(counting.getCount == before + 1, "row group \(group) took \(counting.getCount - before) requests")
            Self.expectSameValues(batch, try await local.readRowGroup(group, fields: fields))
        }
        let wide = try await ParquetFileReader(
            source: ObjectParquetSource(store: counting, key: "t/data/part-0.parquet", size: bytes.count, coalesceGap: 0), name: "s3")
        let before = counting.getCount
        _ = try await wide.readRowGroup(0, fields: fields)
        #expect(counting.getCount - before <= 5, "one request per projected chunk at most without coalescing")
    }

    @Test("a small Parquet file read whole: one request brings the footer and every row group's chunks", .enabled(if: server != nil))
    func smallFileReadWhole() async throws {
        let store = try await Self.freshBucket("whole")
        let path = Self.fixtures + "/pyarrow-snappy-dict-v1.parquet"
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        try await store.put("t/part-0.parquet", body: bytes)
        let counting = CountingStore(store)
        let source = ObjectParquetSource(store: counting, key: "t/part-0.parquet", size: bytes.count, wholeObjectBelow: bytes.count)
        let remote = try await ParquetFileReader(source: source, name: "s3://whole/part-0")
        let local = try await ParquetFileReader(source: try LocalFileReader(path: path), name: path)
        let fields = try remote.fieldIndices(nil)
        for group in remote.metadata.rowGroups.indices {
            let batch = try await remote.readRowGroup(group, fields: fields)
            Self.expectSameValues(batch, try await local.readRowGroup(group, fields: fields))
        }
        #expect(counting.getCount == 1, "\(counting.getCount) requests for a file within one request's worth of bytes")
        let large = ObjectParquetSource(store: counting, key: "t/part-0.parquet", size: bytes.count, wholeObjectBelow: bytes.count - 1)
        let before = counting.getCount
        let footerOnly = try await ParquetFileReader(source: large, name: "s3://whole/part-0")
        #expect(counting.getCount == before + 1 && footerOnly.metadata.rowGroups.count == remote.metadata.rowGroups.count)
        await #expect(throws: ObjectStoreError.self) { try await source.read(bytes.count - 4..<bytes.count + 1) }
    }

    @Test("far-apart ranges: one request per coalesced group, each part its own bytes", .enabled(if: server != nil))
    func concurrentGroups() async throws {
        let store = try await Self.freshBucket("groups")
        let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try await store.put("f", body: body)
        let counting = CountingStore(store)
        let reader = ObjectRangeReader(store: counting, key: "f", size: body.count, coalesceGap: 100)
        let ranges = [250_000..<251_000, 0..<10, 100_000..<100_050, 5..<20, 299_990..<300_000]
        let parts = try await reader.read(ranges: ranges)
        for (range, part) in zip(ranges, parts) { #expect(part == Array(body[range])) }
        #expect(counting.getCount == 4)
    }
}

extension S3IntegrationTests {
    @Test("temporary credentials sign with X-Amz-Security-Token; a wrong token is refused", .enabled(if: server != nil))
    func sessionCredentials() async throws {
        let env = ProcessInfo.processInfo.environment
        let bucketStore = try await Self.freshBucket("session")
        try await bucketStore.put("k", body: [4, 5, 6])
        let session = AWSCredentials(
            accessKeyId: try #require(env["LAKEINGEST_S3_SESSION_ACCESS_KEY"]),
            secretAccessKey: try #require(env["LAKEINGEST_S3_SESSION_SECRET_KEY"]),
            sessionToken: try #require(env["LAKEINGEST_S3_SESSION_TOKEN"]))
        let store = Self.store(bucketStore.bucket, credentials: session)
        #expect(try await store.get("k") == [4, 5, 6])
        var forged = session
        forged.sessionToken = "not-the-token"
        let error = await #expect(throws: ObjectStoreError.self) { try await Self.store(bucketStore.bucket, credentials: forged).get("k") }
        #expect(error != nil)
        #expect(!"\(String(describing: error))".contains("not-the-token"))
    }

    @Test("credentials fall back to the AWS_* environment variables")
    func environmentCredentials() {
        #expect(AWSCredentials.resolve(accessKeyId: "A", secretAccessKey: "S", sessionToken: nil)?.accessKeyId == "A")
        setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1)
        setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1)
        setenv("AWS_SESSION_TOKEN", "ENVTOKEN", 1)
        defer { unsetenv("AWS_ACCESS_KEY_ID"); unsetenv("AWS_SECRET_ACCESS_KEY"); unsetenv("AWS_SESSION_TOKEN") }
        let resolved = AWSCredentials.resolve(accessKeyId: nil, secretAccessKey: nil, sessionToken: nil)
        #expect(resolved == AWSCredentials(accessKeyId: "ENVKEY", secretAccessKey: "ENVSECRET", sessionToken: "ENVTOKEN"))
    }
}
