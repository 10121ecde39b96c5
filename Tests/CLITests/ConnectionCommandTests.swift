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
