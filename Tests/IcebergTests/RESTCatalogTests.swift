import Foundation
import Iceberg
import ObjectStore
import Testing
import TestSupport

/// The REST catalog client against the fixture server (Tests/Fixtures/iceberg/rest_server.py,
/// started by with_catalog.sh), which verifies every request's SigV4 signature with botocore.
@Suite("Iceberg REST catalog", .serialized)
struct RESTCatalogTests {
    static let env = ProcessInfo.processInfo.environment
    static let available: Bool = {
        if env["LAKEINGEST_CATALOG_URI"] == nil {
            print("skipped: LAKEINGEST_CATALOG_URI not set; run the suite with `make test` (Tests/Fixtures/iceberg/with_catalog.sh)")
        }
        return env["LAKEINGEST_CATALOG_URI"] != nil
    }()

    @Test("the REST catalog is there (under CI=true its absence fails)")
    func catalogPresent() {
        RequiredInput.check(Self.available, "CI=true and LAKEINGEST_CATALOG_URI is not set: run the suite through make test")
    }

    static var credentials: AWSCredentials {
        AWSCredentials(accessKeyId: env["LAKEINGEST_CATALOG_ACCESS_KEY"]!, secretAccessKey: env["LAKEINGEST_CATALOG_SECRET_KEY"]!)
    }

    static func glue(credentials: AWSCredentials? = nil, pageSize: Int? = nil) throws -> RESTCatalog {
        try RESTCatalog(RESTCatalog.Configuration(
            flavour: .glue, uri: env["LAKEINGEST_CATALOG_URI"], warehouse: env["LAKEINGEST_CATALOG_WAREHOUSE"],
            region: env["LAKEINGEST_CATALOG_REGION"], credentials: credentials ?? Self.credentials, pageSize: pageSize,
            retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))))
    }

    /// Calls the fixture server's unsigned control endpoint.
    static func control(_ path: String, method: String = "POST", query: [(String, String)] = []) async throws -> [UInt8] {
        let url = env["LAKEINGEST_CATALOG_CONTROL"]!
        let rest = url.dropFirst("http://".count)
        let host = String(rest.prefix(while: { $0 != "/" }))
        let base = String(rest.drop(while: { $0 != "/" }))
        return try await SignedHTTPClient(signer: nil).send(method: method, scheme: "http", host: host, path: base + path, query: query).body
    }

    @Test("config, namespaces and tables page by page (page size 1), with the server's prefix", .enabled(if: available))
    func listing() async throws {
        _ = try await Self.control("/reset")
        let catalog = try Self.glue(pageSize: 1)
        #expect(try await catalog.listNamespaces() == [["a"], ["ops"], ["sales"]])
        #expect(try await catalog.listNamespaces(parent: ["a"]) == [["a", "b"]])
        let tables = try await catalog.listTables(namespace: ["sales"]).map(\.name)
        #expect(tables == ["orders_v1", "orders_v2", "refunds", "returns"])
        #expect(try await catalog.listTables(namespace: ["a", "b"]).map(\.name) == ["events"])
        let log = String(decoding: try await Self.control("/requests", method: "GET"), as: UTF8.self)
        #expect(log.contains("/v1/catalogs/123456789012/namespaces"), "every call after config uses overrides.prefix")
        #expect(log.contains("pageToken"))
    }

    @Test("loadTable returns the metadata and its location; multi-level namespaces are signed as sent", .enabled(if: available))
    func loadTable() async throws {
        let catalog = try Self.glue()
        let loaded = try await catalog.loadTable(TableIdentifier(namespace: ["sales"], name: "orders_v2"))
        let expected = try IcebergFixtures.expected("orders_v2")
        #expect(loaded.metadata.mainSnapshotId == expected.int64("currentSnapshotId"))
        #expect(loaded.metadataLocation == expected["metadataLocation"] as? String)
        let nested = try await catalog.loadTable(TableIdentifier(namespace: ["a", "b"], name: "events"))
        #expect(nested.metadata.formatVersion == 1)
    }

    @Test("missing namespaces and tables are typed errors", .enabled(if: available))
    func notFound() async throws {
        let catalog = try Self.glue()
        let table = await #expect(throws: IcebergError.self) { try await catalog.loadTable(TableIdentifier(namespace: ["sales"], name: "refunds")) }
        #expect(table?.code == .noSuchTable)
        let namespace = await #expect(throws: IcebergError.self) { try await catalog.listTables(namespace: ["nope"]) }
        #expect(namespace?.code == .noSuchNamespace)
    }

    @Test("wrong credentials give a clear credentials error naming endpoint, region and signing name", .enabled(if: available))
    func wrongCredentials() async throws {
        let wrong = AWSCredentials(accessKeyId: Self.credentials.accessKeyId, secretAccessKey: "definitely-wrong")
        let error = await #expect(throws: IcebergError.self) { try await Self.glue(credentials: wrong).listNamespaces() }
        #expect(error?.code == .forbidden || error?.code == .notAuthorized)
        #expect(error?.endpoint?.contains("signing name glue") == true)
        #expect(error?.endpoint?.contains("region \(Self.env["LAKEINGEST_CATALOG_REGION"]!)") == true)
        #expect(!"\(String(describing: error))".contains("definitely-wrong"))
        let unknown = AWSCredentials(accessKeyId: "AKIAUNKNOWN", secretAccessKey: "x")
        let second = await #expect(throws: IcebergError.self) { try await Self.glue(credentials: unknown).loadConfig() }
        #expect(second?.code == .forbidden || second?.code == .notAuthorized)
    }

    @Test("temporary credentials sign their session token", .enabled(if: available))
    func sessionCredentials() async throws {
        let session = AWSCredentials(
            accessKeyId: Self.env["LAKEINGEST_CATALOG_SESSION_ACCESS_KEY"]!, secretAccessKey: Self.env["LAKEINGEST_CATALOG_SESSION_SECRET_KEY"]!,
            sessionToken: Self.env["LAKEINGEST_CATALOG_SESSION_TOKEN"]!)
        #expect(try await Self.glue(credentials: session).listNamespaces().contains(["sales"]))
        var tokenless = session
        tokenless.sessionToken = nil
        await #expect(throws: IcebergError.self) { try await Self.glue(credentials: tokenless).listNamespaces() }
    }

    @Test("the S3 Tables flavour signs with s3tables and takes its region from the ARN", .enabled(if: available))
    func s3Tables() async throws {
        let catalog = try RESTCatalog(RESTCatalog.Configuration(
            flavour: .s3tables, uri: Self.env["LAKEINGEST_CATALOG_S3TABLES_URI"], warehouse: Self.env["LAKEINGEST_CATALOG_S3TABLES_WAREHOUSE"],
            credentials: Self.credentials, pageSize: 1))
        #expect(catalog.region == Self.env["LAKEINGEST_CATALOG_S3TABLES_REGION"])
        #expect(catalog.signingName == "s3tables")
        #expect(try await catalog.listTables(namespace: ["sales"]).count == 4)
        let loaded = try await catalog.loadTable(TableIdentifier(namespace: ["sales"], name: "orders_v1"))
        #expect(loaded.metadata.formatVersion == 1)
    }

    @Test("5xx answers are retried; the attempts are bounded", .enabled(if: available))
    func retries() async throws {
        _ = try await Self.control("/reset")
        _ = try await Self.control("/fail", query: [("count", "2"), ("status", "503")])
        #expect(try await Self.glue().listNamespaces().count == 3)
        _ = try await Self.control("/fail", query: [("count", "10"), ("status", "500")])
        let error = await #expect(throws: IcebergError.self) { try await Self.glue().listNamespaces() }
        #expect(error?.code == .serverError)
        _ = try await Self.control("/reset")
    }

    @Test("warehouses of the wrong form are refused before any call")
    func warehouseForms() {
        let alias = #expect(throws: IcebergError.self) {
            _ = try RESTCatalog(RESTCatalog.Configuration(flavour: .glue, warehouse: "my-account-alias", region: "us-east-1"))
        }
        #expect(alias?.code == .invalidConfiguration)
        #expect(alias?.message.contains("12-digit") == true)
        let arn = #expect(throws: IcebergError.self) {
            _ = try RESTCatalog(RESTCatalog.Configuration(flavour: .s3tables, warehouse: "lakeingest-fixture"))
        }
        #expect(arn?.message.contains("table bucket ARN") == true)
        let region = #expect(throws: IcebergError.self) {
            _ = try RESTCatalog(RESTCatalog.Configuration(
                flavour: .s3tables, warehouse: "arn:aws:s3tables:us-west-2:123456789012:bucket/b", region: "eu-west-1"))
        }
        #expect(region?.message.contains("does not match") == true)
    }
}
