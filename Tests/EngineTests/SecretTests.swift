import Engine
import Foundation
import Testing
import TestSupport

/// Secret keys and session tokens never appear in stdout, stderr, logs or any file under the
/// state folder (or the segments), on success and on every failure path.
extension EngineEndToEnd {
@Suite("engine: secrets stay secret", .serialized)
struct SecretTests {
    static let secret = "CANARY-SECRET-5d1f0c9e2b7a4f68"
    static let token = "CANARY-TOKEN-a94e3b1c77d2e05f"

    /// Fails the test when `needle` occurs in `text` or in any file below `folders`.
    static func assertAbsent(_ needles: [String], in outputs: [String], folders: [String], _ label: String) {
        for needle in needles where !needle.isEmpty {
            for (index, output) in outputs.enumerated() {
                #expect(!output.contains(needle), "\(label): output \(index) shows a secret")
            }
            let bytes = Array(needle.utf8)
            for folder in folders {
                // The configuration files themselves hold the secrets, by design.
                for file in FileManager.default.enumerator(atPath: folder)?.compactMap({ $0 as? String }) ?? [] where !file.hasSuffix("task.json") {
                    guard let data = FileManager.default.contents(atPath: folder + "/" + file) else { continue }
                    #expect([UInt8](data).firstRange(of: bytes) == nil, "\(label): \(file) holds a secret")
                }
            }
        }
    }

    @Test("printing the configuration shows no secret")
    func describing() throws {
        let (_, configuration) = try withTemporaryFolder("describe") { folder in try EngineFixtures.configuration("""
            {"taskName": "t", "table": "orders", "source": {"type": "iceberg-rest", "restService": "glue", "warehouse": "123456789012",
              "namespace": "n", "tableName": "t", "uri": "http://user:\(Self.secret)@127.0.0.1:1/iceberg",
              "metastore": {"accessKey": "AKIDEXAMPLE", "secretKey": "\(Self.secret)", "sessionToken": "\(Self.token)"},
              "storage": {"accessKey": "AKIDEXAMPLE", "secretKey": "\(Self.secret)", "sessionToken": "\(Self.token)"}},
             "push": {"authorization": "Bearer \(Self.secret)"}}
            """, in: folder) }
        var dumped = ""
        dump(configuration, to: &dumped)
        let storage = try #require(configuration.source.storage)
        for text in [String(describing: configuration), String(reflecting: configuration), dumped, "\(storage)", storage.debugDescription,
                     String(describing: configuration.push), "\(configuration.push.authorization!)"] {
            #expect(!text.contains(Self.secret) && !text.contains(Self.token), "\(text.prefix(300))")
        }
        #expect(storage.secretKey?.reveal() == Self.secret, "the secret is still there for signing")
    }

    @Test("a local table with credentials in the configuration: run, status, validate, schema")
    func localRun() throws {
        let root = EngineFixtures.temporaryDirectory("secrets-local")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try EngineFixtures.lake(["create", "--state", root + "/lake", "--warehouse", "file://" + root + "/warehouse", "--table", "orders"])
        try EngineFixtures.lake(["append", "--state", root + "/lake", "--table", "orders", "--batch", "1", "--rows", "30"])
        let (path, _) = try EngineFixtures.configuration("""
            {"taskName": "secrets", "table": "orders", "source": {"type": "iceberg-table", "location": "file://warehouse/lake/orders",
              "storage": {"accessKey": "AKIDCANARY", "secretKey": "\(Self.secret)", "sessionToken": "\(Self.token)"}},
             "push": {"outputDir": "segments"}, "stateDir": "state"}
            """, in: root)
        var outputs: [String] = []
        for arguments in [["run", "--config", path], ["run", "--config", path, "--json"], ["status", "--config", path],
                          ["status", "--config", path, "--json"], ["validate", "--config", path], ["schema", "--config", path],
                          ["run", "--config", path, "--log-level", "trace"]] {
            let result = try EngineFixtures.worker(arguments)
            outputs += [result.output, result.error]
        }
        #expect(outputs.joined().contains("COMPLETED"))
        // A corrupt data file: the failure path.
        let data = root + "/warehouse/lake/orders/data"
        let file = try #require(FileManager.default.enumerator(atPath: data)?.compactMap { $0 as? String }.first { $0.hasSuffix(".parquet") })
        try Data("PAR1 not really".utf8).write(to: URL(fileURLWithPath: data + "/" + file))
        try FileManager.default.removeItem(atPath: root + "/state")
        let failed = try EngineFixtures.worker(["run", "--config", path, "--log-level", "trace"])
        #expect(failed.status != 0)
        outputs += [failed.output, failed.error]
        Self.assertAbsent([Self.secret, Self.token], in: outputs, folders: [root + "/state", root + "/segments"], "local")
    }

    @Test("S3 and REST catalog runs, succeeding and failing")
    func remoteRuns() async throws {
        guard EngineFixtures.requireServers(s3: true, catalog: true) else { return }
        let env = EngineFixtures.env
        let root = EngineFixtures.temporaryDirectory("secrets-remote")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bucket = "lake-\(UInt32.random(in: 0...UInt32.max))"
        let store = EngineFixtures.s3Store(bucket)
        try await store.createBucket()
        try EngineFixtures.lake(["parquet", "--out", root + "/p.parquet", "--batch", "1", "--rows", "20"])
        try await store.put("in/p.parquet", body: [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/p.parquet"))))
        func lake(secret: String, token: String?, key: String, label: String) throws -> String {
            try EngineFixtures.configuration("""
                {"taskName": "\(label)", "table": "events", "source": {"type": "s3-data-lake", "location": "s3://\(bucket)/in/",
                  "storage": {"accessKey": "\(key)", "secretKey": "\(secret)", \(token.map { "\"sessionToken\": \"\($0)\"," } ?? "")
                              "endpoint": "\(env["LAKEINGEST_S3_ENDPOINT"]!)", "pathStyle": true}},
                 "push": {"outputDir": "segments-\(label)"}, "stateDir": "state-\(label)"}
                """, in: root + "/\(label)").path
        }
        var outputs: [String] = []
        let sessionSecret = env["LAKEINGEST_S3_SESSION_SECRET_KEY"] ?? "", sessionToken = env["LAKEINGEST_S3_SESSION_TOKEN"] ?? ""
        let good = try lake(secret: sessionSecret, token: sessionToken, key: env["LAKEINGEST_S3_SESSION_ACCESS_KEY"] ?? "", label: "good")
        let bad = try lake(secret: Self.secret, token: Self.token, key: env["LAKEINGEST_S3_ACCESS_KEY"] ?? "", label: "bad")
        for arguments in [["run", "--config", good, "--log-level", "trace"], ["validate", "--config", good],
                          ["run", "--config", bad, "--log-level", "trace"], ["validate", "--config", bad], ["status", "--config", bad, "--json"]] {
            let result = try EngineFixtures.worker(arguments)
            outputs += [result.output, result.error]
        }
        #expect(outputs[0 ... 1].joined().contains("COMPLETED"), "\(outputs[0 ... 1].joined().suffix(500))")
        #expect(outputs[4 ... 5].joined().contains("credentials"))
        let catalog = try EngineFixtures.configuration("""
            {"taskName": "catalog", "table": "orders", "source": {"type": "iceberg-rest", "restService": "glue", "uri": "\(env["LAKEINGEST_CATALOG_URI"]!)",
              "warehouse": "\(env["LAKEINGEST_CATALOG_WAREHOUSE"]!)", "namespace": "sales", "tableName": "orders_v1",
              "metastore": {"accessKey": "\(env["LAKEINGEST_CATALOG_ACCESS_KEY"]!)", "secretKey": "\(Self.secret)", "sessionToken": "\(Self.token)",
                            "region": "\(env["LAKEINGEST_CATALOG_REGION"]!)"}},
             "push": {"outputDir": "segments"}, "stateDir": "state"}
            """, in: root + "/catalog").path
        for arguments in [["run", "--config", catalog, "--log-level", "trace"], ["validate", "--config", catalog], ["namespaces", "--config", catalog]] {
            let result = try EngineFixtures.worker(arguments)
            outputs += [result.output, result.error]
        }
        Self.assertAbsent([Self.secret, Self.token, sessionSecret, sessionToken, env["LAKEINGEST_S3_SECRET_KEY"] ?? "", env["LAKEINGEST_CATALOG_SECRET_KEY"] ?? ""],
                          in: outputs, folders: [root], "remote")
    }
}
}
