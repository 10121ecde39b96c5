import Foundation
import ObjectStore
import Testing
import TestSupport

/// `ingest-worker validate | namespaces | tables | schema --config FILE`, run as a process
/// against the fixture REST catalog and against moto S3 (both started by `make test`).
@Suite("ingest-worker connection commands", .serialized)
struct ConnectionCommandTests {
    static let env = Repository.environment
    static let catalog = env["LAKEINGEST_CATALOG_URI"] != nil
    static let s3 = env["LAKEINGEST_S3_ENDPOINT"] != nil

    static func run(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(Repository.workerBinary, arguments)
    }

    /// Writes a task configuration into `folder`, under a name of its own.
    static func writeConfig(_ json: String, in folder: String) throws -> String {
        let path = folder + "/task-\(UInt32.random(in: 0...UInt32.max)).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func glueConfig(secret: String? = nil, in folder: String) throws -> String {
        try writeConfig("""
        {"taskName": "t", "table": "orders", "source": {"type": "iceberg-rest", "restService": "glue",
         "uri": "\(env["LAKEINGEST_CATALOG_URI"]!)", "warehouse": "\(env["LAKEINGEST_CATALOG_WAREHOUSE"]!)",
         "namespace": "sales", "tableName": "orders_v2",
         "metastore": {"accessKey": "\(env["LAKEINGEST_CATALOG_ACCESS_KEY"]!)", "secretKey": "\(secret ?? env["LAKEINGEST_CATALOG_SECRET_KEY"]!)",
                       "region": "\(env["LAKEINGEST_CATALOG_REGION"]!)"},
         "storage": {"region": "us-east-1"}},
         "schema": {"name": "orders_rt", "timeColumn": null, "includePartitionColumns": false}}
        """, in: folder)
    }

    @Test("against the REST catalog", .enabled(if: catalog))
    func restCatalog() throws {
        try withTemporaryFolder("cli") { folder in
            let config = try Self.glueConfig(in: folder)
            let validate = try Self.run(["validate", "--config", config])
            #expect(validate.status == 0, "\(validate.output)\(validate.error)")
            #expect(validate.output.split(separator: "\n").count == 7)
            #expect(validate.output.contains("time column") && validate.output.contains("no time column"), "\(validate.output)")
            #expect(validate.output.contains("signing name glue"))
            #expect(validate.output.contains("read a data file footer"))
            #expect(try Self.run(["namespaces", "--config", config]).output == "a\na.b\nops\nsales\n")
            #expect(try Self.run(["tables", "--config", config]).output == "orders_v1\norders_v2\nrefunds\nreturns\n")
            let schema = try Self.run(["schema", "--config", config])
            #expect(schema.status == 0)
            let json = try JSONSerialization.jsonObject(with: Data(schema.output.utf8)) as! [String: Any]
            #expect(json["schemaName"] as? String == "orders_rt")
            #expect(!schema.output.contains("ts_day"), "partition columns excluded")

            let wrong = try Self.glueConfig(secret: "wrong-secret-for-test", in: folder)
            let failed = try Self.run(["validate", "--config", wrong])
            #expect(failed.status != 0)
            #expect(failed.output.contains("FAIL catalog authentication"))
            #expect(failed.output.contains("permission") || failed.output.contains("credentials"))
            #expect(!(failed.output + failed.error).contains("wrong-secret-for-test"))
            #expect(!(failed.output + failed.error).contains(Self.env["LAKEINGEST_CATALOG_SECRET_KEY"]!))
        }
    }

    @Test("browsing a catalog with only the connection: validate, namespaces, tables --namespace, schema --namespace --table, each with --json",
          .enabled(if: catalog))
    func browseCatalog() throws {
        try withTemporaryFolder("browse") { folder in
            let config = try Self.writeConfig("""
            {"source": {"type": "iceberg-rest", "restService": "glue", "uri": "\(Self.env["LAKEINGEST_CATALOG_URI"]!)",
             "warehouse": "\(Self.env["LAKEINGEST_CATALOG_WAREHOUSE"]!)",
             "metastore": {"accessKey": "\(Self.env["LAKEINGEST_CATALOG_ACCESS_KEY"]!)", "secretKey": "\(Self.env["LAKEINGEST_CATALOG_SECRET_KEY"]!)",
                           "region": "\(Self.env["LAKEINGEST_CATALOG_REGION"]!)"},
             "storage": {"region": "us-east-1"}}}
            """, in: folder)
            let validate = try Self.run(["validate", "--config", config])
            #expect(validate.status == 0 && validate.output.contains("ok   catalog authentication") && validate.output.contains("ok   list namespaces")
                    && validate.output.split(separator: "\n").count == 2, "\(validate.all)")
            let namespaces = try Self.run(["namespaces", "--config", config, "--json"])
            #expect(try Self.object(namespaces.output)["namespaces"] as? [String] == ["a", "a.b", "ops", "sales"], "\(namespaces.all)")
            let tables = try Self.run(["tables", "--config", config, "--namespace", "sales", "--json"])
            let listed = try Self.object(tables.output)
            #expect(listed["namespace"] as? String == "sales" && listed["tables"] as? [String] == ["orders_v1", "orders_v2", "refunds", "returns"],
                    "\(tables.all)")
            let unnamed = try Self.run(["tables", "--config", config])
            #expect(unnamed.status != 0 && unnamed.error.contains("--namespace"), "\(unnamed.all)")
            let schema = try Self.run(["schema", "--config", config, "--namespace", "sales", "--table", "orders_v2"])
            #expect(schema.status == 0 && (try? Self.object(schema.output)["schemaName"] as? String) == "orders_v2", "\(schema.all)")
            let run = try Self.run(["run", "--config", config])
            #expect(run.status != 0 && run.all.contains("\"taskName\" is required"), "a task still needs its keys: \(run.all)")
        }
    }

    @Test("browsing a data lake folder: namespaces lists the prefixes with counts and sizes, tables --namespace a prefix's files and schema")
    func browseDataLake() throws {
        try withTemporaryFolder("browse-lake") { folder in
            let lake = folder + "/lake"
            for day in ["dt=2024-01-01", "dt=2024-01-02"] { try FileManager.default.createDirectory(atPath: lake + "/" + day, withIntermediateDirectories: true) }
            let script = """
                import pyarrow as pa, pyarrow.parquet as pq
                pq.write_table(pa.table({"id": pa.array([1, 2], pa.int32()), "name": ["a", "b"]}), "\(lake)/dt=2024-01-01/a.parquet")
                pq.write_table(pa.table({"id": pa.array([3], pa.int64()), "name": ["c"], "extra": [1.5]}), "\(lake)/dt=2024-01-02/b.parquet")
                """
            let written = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script])
            #expect(written.status == 0, "\(written.all)")
            try Data("notes".utf8).write(to: URL(fileURLWithPath: lake + "/dt=2024-01-02/README.txt"))
            try Data().write(to: URL(fileURLWithPath: lake + "/dt=2024-01-01/_SUCCESS"))
            let config = try Self.writeConfig(#"{"source": {"type": "s3-data-lake", "location": "file://lake/"}}"#, in: folder)
            let namespaces = try Self.run(["namespaces", "--config", config, "--json"])
            let prefixes = try Self.object(namespaces.output)["prefixes"] as? [[String: Any]] ?? []
            let sizes = { (name: String) in (try? FileManager.default.attributesOfItem(atPath: lake + "/" + name)[.size] as? Int) ?? -1 }
            #expect(prefixes.map { $0["name"] as? String } == ["dt=2024-01-01/", "dt=2024-01-02/"], "\(namespaces.all)")
            #expect(prefixes.map { $0["objects"] as? Int } == [2, 2] && prefixes.map { $0["parquetFiles"] as? Int } == [1, 1], "\(prefixes)")
            #expect(prefixes.last?["bytes"] as? Int == sizes("dt=2024-01-02/b.parquet") + 5, "\(prefixes)")
            let text = try Self.run(["namespaces", "--config", config])
            #expect(text.output.hasPrefix("dt=2024-01-01/\t2 objects\t"), "\(text.output)")

            let tables = try Self.run(["tables", "--config", config, "--namespace", "dt=2024-01-02", "--json"])
            let files = try Self.object(tables.output)
            #expect(files["files"] as? Int == 1 && files["skipped"] as? Int == 1 && (files["location"] as? String)?.hasSuffix("lake/dt=2024-01-02/") == true,
                    "\(tables.all)")
            let columns = (files["columns"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? ""):\($0["type"] ?? "")" }
            #expect(columns == ["id:long", "name:string", "extra:double"], "\(columns)")
            let whole = try Self.object(try Self.run(["tables", "--config", config, "--json"]).output)
            let all = (whole["columns"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? ""):\($0["type"] ?? ""):\($0["partition"] ?? "")" }
            #expect(whole["files"] as? Int == 2 && all == ["id:long:0", "name:string:0", "extra:double:0", "dt:string:1"], "\(all)")
            let schema = try Self.run(["schema", "--config", config, "--namespace", "dt=2024-01-01"])
            #expect(schema.status == 0 && schema.output.contains("\"id\"") && !schema.output.contains("extra"), "\(schema.all)")
        }
    }

    static func object(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    @Test("an iceberg-table location without a catalog")
    func tableLocation() throws {
        try withTemporaryFolder("cli") { folder in
            let location = "file:///tmp/lakeingest-iceberg/warehouse/sales/orders_v1"
            _ = IcebergFixtures.installed
            let config = try Self.writeConfig("""
            {"taskName": "t", "table": "orders_v1", "source": {"type": "iceberg-table", "location": "\(location)"}}
            """, in: folder)
            let validate = try Self.run(["validate", "--config", config])
            #expect(validate.status == 0, "\(validate.output)\(validate.error)")
            let schema = try Self.run(["schema", "--config", config])
            #expect(schema.output.contains("\"schemaName\": \"orders_v1\""))
        }
    }

    @Test("validate fails on a data lake folder without Parquet files, and names no S3 endpoint for local files")
    func emptyLake() throws {
        try withTemporaryFolder("empty-lake") { lake in try withTemporaryFolder("cli") { folder in
            try "not parquet".write(toFile: lake + "/README.txt", atomically: true, encoding: .utf8)
            for location in ["file://" + lake + "/", "file://" + lake + "/missing/"] {
                let config = try Self.writeConfig("""
                {"taskName": "t", "table": "lake", "source": {"type": "s3-data-lake", "location": "\(location)"}}
                """, in: folder)
                let validate = try Self.run(["validate", "--config", config])
                #expect(validate.status == 1, "\(validate.output)\(validate.error)")
                #expect(validate.output.contains("FAIL") && validate.output.contains("no Parquet files"), "\(validate.output)")
                #expect(!validate.output.contains("amazonaws") && !validate.output.contains("signing name"), "\(validate.output)")
            }
            _ = IcebergFixtures.installed
            let location = "file:///tmp/lakeingest-iceberg/warehouse/sales/orders_v1"
            let table = try Self.writeConfig("""
            {"taskName": "t", "table": "orders_v1", "source": {"type": "iceberg-table", "location": "\(location)"}}
            """, in: folder)
            let validate = try Self.run(["validate", "--config", table])
            #expect(!validate.output.contains("amazonaws"), "\(validate.output)")
        } }
    }

    @Test("an S3 data lake on moto: validate and schema; a wrong secret names what to check", .enabled(if: s3))
    func dataLake() async throws {
        try await withTemporaryFolder("cli") { folder in
            let bucket = "lake-\(UInt32.random(in: 0...UInt32.max))"
            let credentials = AWSCredentials(accessKeyId: Self.env["LAKEINGEST_S3_ACCESS_KEY"]!, secretAccessKey: Self.env["LAKEINGEST_S3_SECRET_KEY"]!)
            let store = S3ObjectStore(S3Configuration(bucket: bucket, region: "us-east-1", credentials: credentials,
                                                      endpoint: Self.env["LAKEINGEST_S3_ENDPOINT"]!, pathStyle: true))
            try await store.createBucket()
            let sample = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Repository.samples + "/orders.parquet")))
            try await store.put("orders/day=2024-01-01/part-0.parquet", body: sample)
            try await store.put("orders/day=2024-01-01/_SUCCESS", body: [])
            try await store.put("orders/.staging.parquet", body: [1, 2, 3])
            func config(_ secret: String) throws -> String {
                try Self.writeConfig("""
                {"taskName": "t", "table": "orders", "source": {"type": "s3-data-lake", "location": "s3://\(bucket)/orders/",
                 "storage": {"accessKey": "\(credentials.accessKeyId)", "secretKey": "\(secret)", "region": "us-east-1",
                             "endpoint": "\(Self.env["LAKEINGEST_S3_ENDPOINT"]!)", "pathStyle": true}},
                 "schema": {"timeColumn": "ts"}}
                """, in: folder)
            }
            let good = try config(credentials.secretAccessKey)
            let validate = try Self.run(["validate", "--config", good])
            #expect(validate.status == 0, "\(validate.output)\(validate.error)")
            #expect(validate.output.contains("1 Parquet files"))
            #expect(validate.output.contains("12 rows"))
            #expect(validate.output.contains("ok   time column") && validate.output.contains("ts (TIMESTAMP): 8 sampled values from 2024-01-01T08:00:00Z"), "\(validate.output)")
            let schema = try Self.run(["schema", "--config", good])
            #expect(schema.output.contains(#"{"name": "ts", "dataType": "TIMESTAMP", "format": "1:MILLISECONDS:EPOCH""#), Comment(rawValue: schema.output))
            #expect(schema.output.contains(#"{"name": "tags", "dataType": "STRING", "singleValueField": false}"#), Comment(rawValue: schema.output))
            let bad = try Self.run(["validate", "--config", try config("not-the-secret")])
            #expect(bad.status != 0)
            #expect(bad.output.contains("signatureMismatch"))
            #expect(bad.output.contains("check the storage secret key"))
            #expect(!(bad.output + bad.error).contains("not-the-secret"))
        }
    }
}
