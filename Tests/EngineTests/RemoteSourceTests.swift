import Engine
import Foundation
import ObjectStore
import Testing
import TestSupport

/// Tables on moto S3 (signature checking on) behind the SigV4-checking REST catalog, in its
/// Glue and S3 Tables flavours, and an S3 data lake prefix: rows equal pyiceberg's (or
/// pyarrow's) reading, and a second run takes only what is new.
extension EngineEndToEnd {
@Suite("engine: S3 and REST catalog sources", .serialized)
struct RemoteSourceTests {
    static let env = EngineFixtures.env

    static func catalogConfig(flavour: String, root: String, name: String) -> String {
        let glue = flavour == "glue"
        return """
        {"taskName": "\(name)", "table": "orders",
         "source": {"type": "iceberg-rest", "restService": "\(flavour)",
                    "uri": "\(env[glue ? "LAKEINGEST_CATALOG_URI" : "LAKEINGEST_CATALOG_S3TABLES_URI"] ?? "")",
                    "warehouse": "\(env[glue ? "LAKEINGEST_CATALOG_WAREHOUSE" : "LAKEINGEST_CATALOG_S3TABLES_WAREHOUSE"] ?? "")",
                    "namespace": "lake", "tableName": "\(name)",
                    "metastore": {"accessKey": "\(env["LAKEINGEST_CATALOG_ACCESS_KEY"] ?? "")", "secretKey": "\(env["LAKEINGEST_CATALOG_SECRET_KEY"] ?? "")",
                                  "region": "\(env[glue ? "LAKEINGEST_CATALOG_REGION" : "LAKEINGEST_CATALOG_S3TABLES_REGION"] ?? "")"},
                    "storage": \(EngineFixtures.motoStorage)},
         "push": {"outputDir": "segments-\(flavour)"}, "stateDir": "state-\(flavour)", "segments": {"maxRowsPerSegment": 64}}
        """
    }

    static func register(_ state: String, _ table: String) throws {
        try EngineFixtures.lake(["register", "--state", state, "--table", table,
                                 "--control", env["LAKEINGEST_CATALOG_CONTROL"] ?? "", "--control", env["LAKEINGEST_CATALOG_S3TABLES_CONTROL"] ?? ""])
    }

    @Test("a pyiceberg table on moto through the Glue and S3 Tables catalogs; an append ingests only its files")
    func catalogs() async throws {
        guard EngineFixtures.requireServers(s3: true, catalog: true) else { return }
        let root = EngineFixtures.temporaryDirectory("rest")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let state = root + "/lake"
        let table = "orders_\(UInt32.random(in: 0...UInt32.max))"
        try EngineFixtures.lake(["create", "--state", state, "--warehouse", "s3://lake-\(UInt32.random(in: 0...UInt32.max))/warehouse", "--table", table])
        try EngineFixtures.lake(["append", "--state", state, "--table", table, "--batch", "1", "--rows", "100", "--files", "2"])
        try Self.register(state, table)

        let glue = IngestionTask(configuration: try EngineFixtures.configuration(Self.catalogConfig(flavour: "glue", root: root, name: table), in: root).configuration)
        var report = try await glue.run()
        var expected = try EngineFixtures.expectedRows(state: state, table: table)
        var pushed = try PushedSegments(folder: root + "/segments-glue")
        #expect(report.completed, "\(report.status?.error?.text ?? "")")
        #expect(differences(pushed, expected.rows).isEmpty, "\(differences(pushed, expected.rows))")
        #expect(report.status?.lastIngestedSnapshotId == expected.snapshots.last)
        let before = Set(pushed.names)

        try EngineFixtures.lake(["append", "--state", state, "--table", table, "--batch", "2", "--rows", "40"])
        try Self.register(state, table)
        report = try await glue.run()
        expected = try EngineFixtures.expectedRows(state: state, table: table)
        pushed = try PushedSegments(folder: root + "/segments-glue")
        #expect(report.completed, "\(report.status?.error?.text ?? "")")
        #expect(differences(pushed, expected.rows).isEmpty, "\(differences(pushed, expected.rows))")
        #expect(report.status?.rowsIngested == 40)
        #expect(report.status?.snapshots.map(\.snapshotId) == [expected.snapshots.last])
        #expect(Set(pushed.names).isSuperset(of: before))
        #expect(Set(pushed.names).subtracting(before).allSatisfy { $0.contains("_\(expected.snapshots.last!)_") })

        let s3tables = IngestionTask(configuration: try EngineFixtures.configuration(Self.catalogConfig(flavour: "s3tables", root: root, name: table), in: root).configuration)
        report = try await s3tables.run()
        pushed = try PushedSegments(folder: root + "/segments-s3tables")
        #expect(report.completed, "\(report.status?.error?.text ?? "")")
        #expect(differences(pushed, expected.rows).isEmpty, "\(differences(pushed, expected.rows))")
    }

    @Test("an S3 data lake prefix on moto: every Parquet file, then only a new one")
    func dataLake() async throws {
        guard EngineFixtures.requireServers(s3: true) else { return }
        let root = EngineFixtures.temporaryDirectory("datalake")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bucket = "lake-\(UInt32.random(in: 0...UInt32.max))"
        let store = EngineFixtures.s3Store(bucket)
        try await store.createBucket()
        var local: [String] = []
        for batch in 1...3 {
            let path = root + "/part-\(batch).parquet"
            try EngineFixtures.lake(["parquet", "--out", path, "--batch", String(batch), "--rows", "45"])
            local.append(path)
        }
        for (index, path) in local.prefix(2).enumerated() {
            try await store.put("events/day=2024-09-0\(index + 1)/part-\(index).parquet", body: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        try await store.put("events/day=2024-09-01/_SUCCESS", body: [])
        try await store.put("events/_temporary/part-9.parquet", body: [1, 2, 3])
        let (_, configuration) = try EngineFixtures.configuration("""
            {"taskName": "lake", "table": "events",
             "source": {"type": "s3-data-lake", "location": "s3://\(bucket)/events/", "storage": \(EngineFixtures.motoStorage)},
             "push": {"outputDir": "segments"}, "stateDir": "state", "segments": {"maxRowsPerSegment": 50}}
            """, in: root)
        let task = IngestionTask(configuration: configuration)
        var report = try await task.run()
        var pushed = try PushedSegments(folder: root + "/segments")
        #expect(report.completed, "\(report.status?.error?.text ?? "")")
        #expect(report.status?.filesDiscovered == 2)
        let expectedTwo = try Self.expectedFiles(Array(local.prefix(2)))
        #expect(differences(pushed, expectedTwo).isEmpty, "\(differences(pushed, expectedTwo))")
        let before = Set(pushed.names)

        try await store.put("events/day=2024-09-03/part-2.parquet", body: [UInt8](try Data(contentsOf: URL(fileURLWithPath: local[2]))))
        report = try await task.run()
        pushed = try PushedSegments(folder: root + "/segments")
        #expect(report.completed, "\(report.status?.error?.text ?? "")")
        #expect(report.status?.filesDiscovered == 1, "only the new file")
        #expect(report.status?.rowsIngested == 45)
        let expectedAll = try Self.expectedFiles(local)
        #expect(differences(pushed, expectedAll).isEmpty, "\(differences(pushed, expectedAll))")
        #expect(Set(pushed.names).isSuperset(of: before) && pushed.names.count == before.count + 1)

        report = try await task.run()
        #expect(report.completed && report.status?.filesDiscovered == 0, "nothing new")
    }

    static func expectedFiles(_ files: [String]) throws -> [Int64: [String: Any]] {
        let json = try EngineFixtures.lake(["expected-files"] + files)
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        var rows: [Int64: [String: Any]] = [:]
        for row in document["rows"] as! [[String: Any]] { rows[(row["id"] as! NSNumber).int64Value] = row }
        return rows
    }
}
}
