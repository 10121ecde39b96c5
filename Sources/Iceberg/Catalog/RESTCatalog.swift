import Foundation
import ObjectStore

/// A table's identity in a catalog.
public struct TableIdentifier: Sendable, Equatable, Hashable {
    public var namespace: [String]
    public var name: String

    public init(namespace: [String], name: String) {
        self.namespace = namespace
        self.name = name
    }
}

/// What `loadTable` returns.
public struct LoadedTable: Sendable {
    public var metadataLocation: String?
    public var metadata: TableMetadata
    /// Catalog-provided properties (FileIO settings, vended credentials).
    public var config: [String: String]
}

extension LoadedTable: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Config keys whose values are secrets (vended credentials, tokens).
    static func isSecret(_ key: String) -> Bool {
        let lower = key.lowercased()
        return ["secret", "token", "password", "credential"].contains { lower.contains($0) }
    }

    /// The config with secret values shown as `<redacted>`.
    public var redactedConfig: [String: String] {
        config.reduce(into: [:]) { $0[$1.key] = Self.isSecret($1.key) ? "<redacted>" : $1.value }
    }

    public var description: String {
        "LoadedTable(metadataLocation: \(metadataLocation ?? "-"), format v\(metadata.formatVersion), config: \(redactedConfig.sorted { $0.key < $1.key }))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["metadataLocation": metadataLocation as Any, "metadata": metadata, "config": redactedConfig], displayStyle: .struct)
    }
}

/// Which service speaks the Iceberg REST protocol.
public enum RESTFlavour: String, Sendable {
    /// AWS Glue: `https://glue.{region}.amazonaws.com/iceberg`, signing name `glue`, warehouse = account id.
    case glue
    /// AWS S3 Tables: `https://s3tables.{region}.amazonaws.com/iceberg`, signing name `s3tables`,
    /// warehouse = table bucket ARN.
    case s3tables
    /// Any other REST catalog (signed when credentials are given, with signing name `execute-api`).
    case rest
}

/// A client of the Iceberg REST catalog protocol (apache/iceberg `open-api/rest-catalog-open-api.yaml`),
/// signed with SigV4 for AWS Glue and S3 Tables. The `config` call's `overrides.prefix` is used
/// for every later path; namespaces and tables are listed page by page; errors are mapped from
/// Iceberg error bodies; 5xx answers are retried.
public actor RESTCatalog {
    public struct Configuration: Sendable {
        public var flavour: RESTFlavour
        /// The base URL to which `/v1/…` is appended; nil for the flavour's AWS default.
        public var uri: String?
        public var warehouse: String?
        public var region: String?
        public var credentials: AWSCredentials?
        /// Temporary keys for each request (``CredentialChain``); `credentials` when nil.
        public var credentialProvider: (any CredentialProvider)?
        public var pageSize: Int?
        public var retry: RetryPolicy

        public init(flavour: RESTFlavour, uri: String? = nil, warehouse: String? = nil, region: String? = nil,
                    credentials: AWSCredentials? = nil, pageSize: Int? = nil, retry: RetryPolicy = RetryPolicy()) {
            self.flavour = flavour
            self.uri = uri
            self.warehouse = warehouse
            self.region = region
            self.credentials = credentials
            self.pageSize = pageSize
            self.retry = retry
        }
    }

    public let configuration: Configuration
    /// The region used for signing (from the configuration, or an S3 Tables ARN).
    public nonisolated let region: String
    public nonisolated let signingName: String
    public nonisolated let baseURL: String
    private let http: SignedHTTPClient
    private let scheme: String
    private let host: String
    private let basePath: String
    private var prefix: String?

    /// - Throws: `.invalidConfiguration` when the warehouse or region does not fit the flavour.
    public init(_ configuration: Configuration) throws(IcebergError) {
        self.configuration = configuration
        var region = configuration.region
        switch configuration.flavour {
        case .glue:
            if let warehouse = configuration.warehouse, !warehouse.contains(":s3tablescatalog/"),
               warehouse.count != 12 || !warehouse.allSatisfy(\.isNumber) {
                throw IcebergError(.invalidConfiguration,
                    "a Glue warehouse is the 12-digit AWS account id (or account:s3tablescatalog/bucket), not \"\(warehouse)\"; an account alias does not work")
            }
            signingName = "glue"
        case .s3tables:
            guard let warehouse = configuration.warehouse, warehouse.hasPrefix("arn:aws:s3tables:"),
                  warehouse.split(separator: ":", omittingEmptySubsequences: false).count >= 6, warehouse.contains(":bucket/") else {
                throw IcebergError(.invalidConfiguration,
                    "an S3 Tables warehouse is the table bucket ARN (arn:aws:s3tables:REGION:ACCOUNT:bucket/NAME), not \"\(configuration.warehouse ?? "")\"")
            }
            let arnRegion = String(warehouse.split(separator: ":", omittingEmptySubsequences: false)[3])
            if let given = region, given != arnRegion {
                throw IcebergError(.invalidConfiguration, "region \(given) does not match the table bucket ARN's region \(arnRegion)")
            }
            region = region ?? arnRegion
            signingName = "s3tables"
        case .rest:
            signingName = "execute-api"
        }
        guard let resolvedRegion = region ?? (configuration.flavour == .rest ? "us-east-1" : nil) else {
            throw IcebergError(.invalidConfiguration, "the \(configuration.flavour.rawValue) catalog needs a region")
        }
        self.region = resolvedRegion
        // Userinfo is neither sent (the catalog signs with SigV4) nor ever printed.
        let base = ObjectStoreURI.redacted(configuration.uri ?? (configuration.flavour == .s3tables
            ? "https://s3tables.\(resolvedRegion).amazonaws.com/iceberg" : "https://glue.\(resolvedRegion).amazonaws.com/iceberg"))
        self.baseURL = base
        guard let schemeEnd = base.range(of: "://") else {
            throw IcebergError(.invalidConfiguration, "catalog URI \(base) has no scheme")
        }
        scheme = String(base[..<schemeEnd.lowerBound])
        let rest = base[schemeEnd.upperBound...]
        host = String(rest.prefix(while: { $0 != "/" }))
        var path = String(rest.drop(while: { $0 != "/" }))
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
        let service = signingName
        var signer = configuration.credentials.map { SigV4Signer(credentials: $0, region: resolvedRegion, service: service) }
        if let provider = configuration.credentialProvider {
            signer = SigV4Signer(credentials: signer?.credentials ?? AWSCredentials(accessKeyId: "", secretAccessKey: ""), region: resolvedRegion,
                                 service: service, provider: provider)
        }
        http = SignedHTTPClient(signer: signer, retry: configuration.retry)
    }

    /// A description of the endpoint for messages: URL, region, signing name.
    public nonisolated var endpointDescription: String {
        "\(baseURL), region \(region), signing name \(signingName)"
    }

    // MARK: calls

    /// `GET /v1/config`: returns the merged properties; remembers `overrides.prefix`.
    @discardableResult
    public func loadConfig() async throws(IcebergError) -> [String: String] {
        var query: [(String, String)] = []
        if let warehouse = configuration.warehouse { query.append(("warehouse", warehouse)) }
        let answer = try await located("config") { () throws(IcebergError) in
            try CatalogAnswers.config(try await get(basePath + "/v1/config", query: query, object: "config"))
        }
        prefix = answer.prefix
        return answer.properties
    }

    private func root() async throws(IcebergError) -> String {
        if prefix == nil { try await loadConfig() }
        let prefix = self.prefix ?? ""
        return basePath + "/v1" + (prefix.isEmpty ? "" : "/" + prefix)
    }

    /// Every namespace (under `parent`, for multi-level catalogs), all pages.
    public func listNamespaces(parent: [String]? = nil) async throws(IcebergError) -> [[String]] {
        let root = try await root()
        var result: [[String]] = []
        var token: String?
        var seen: Set<String> = []
        repeat {
            var query: [(String, String)] = []
            if let parent { query.append(("parent", parent.joined(separator: "\u{1F}"))) }
            query += pageQuery(token)
            let page = try await located("namespaces") { () throws(IcebergError) in
                try CatalogAnswers.namespaces(try await get(root + "/namespaces", query: query, object: "namespaces"))
            }
            result += page.namespaces
            token = page.nextPageToken
            if let next = token, !next.isEmpty, !seen.insert(next).inserted {
                throw IcebergError(.invalidResponse, "the catalog repeats a page token", endpoint: endpointDescription)
            }
        } while token != nil && token != ""
        return result
    }

    /// Every table of `namespace`, all pages.
    public func listTables(namespace: [String]) async throws(IcebergError) -> [TableIdentifier] {
        let path = try await root() + "/namespaces/" + Self.encode(namespace) + "/tables"
        var result: [TableIdentifier] = []
        var token: String?
        var seen: Set<String> = []
        repeat {
            let object = namespace.joined(separator: ".")
            let page = try await located(object) { () throws(IcebergError) in
                try CatalogAnswers.tables(try await get(path, query: pageQuery(token), object: object), namespace: namespace)
            }
            result += page.tables
            token = page.nextPageToken
            if let next = token, !next.isEmpty, !seen.insert(next).inserted {
                throw IcebergError(.invalidResponse, "the catalog repeats a page token", endpoint: endpointDescription)
            }
        } while token != nil && token != ""
        return result
    }

    /// `GET …/tables/{table}?snapshots=refs`: the table's metadata and its location.
    public func loadTable(_ table: TableIdentifier) async throws(IcebergError) -> LoadedTable {
        let path = try await root() + "/namespaces/" + Self.encode(table.namespace) + "/tables/" + URIEncoding.encode(table.name)
        let name = (table.namespace + [table.name]).joined(separator: ".")
        return try await located(name) { () throws(IcebergError) in
            try CatalogAnswers.loadTable(try await get(path, query: [("snapshots", "refs")], object: name), name: name)
        }
    }

    /// Runs `body`, naming `object` and this endpoint in its error where it names none.
    private func located<T>(_ object: String, _ body: () async throws(IcebergError) -> T) async throws(IcebergError) -> T {
        do {
            return try await body()
        } catch {
            var located = error
            located.object = located.object ?? object
            located.endpoint = located.endpoint ?? endpointDescription
            throw located
        }
    }

    private func pageQuery(_ token: String?) -> [(String, String)] {
        var query: [(String, String)] = []
        if configuration.pageSize != nil || token != nil { query.append(("pageToken", token ?? "")) }
        if let size = configuration.pageSize { query.append(("pageSize", String(size))) }
        return query
    }

    /// Namespace levels joined with the unit separator, percent-encoded as one path segment.
    static func encode(_ namespace: [String]) -> String {
        URIEncoding.encode(namespace.joined(separator: "\u{1F}"))
    }

    private func get(_ path: String, query: [(String, String)], object: String) async throws(IcebergError) -> [UInt8] {
        let response: SignedHTTPClient.Response
        do {
            response = try await http.send(method: "GET", scheme: scheme, host: host, path: path, query: query,
                                           headers: [("accept", "application/json")])
        } catch let error as ObjectStoreError {
            let code: IcebergError.Code = error.status.map { $0 >= 500 } == true || error.code == .throttled ? .serverError : .transport
            throw IcebergError(code, "catalog call failed: \(error.message)", object: object, endpoint: endpointDescription,
                               status: error.status, underlying: error)
        } catch {
            throw IcebergError(.transport, "catalog call failed", object: object, endpoint: endpointDescription, underlying: error as? any Error & Sendable)
        }
        guard (200..<300).contains(response.status) else {
            throw Self.error(response, object: object, endpoint: endpointDescription, signingName: signingName)
        }
        return response.body
    }

    /// Maps an Iceberg error body (`{"error": {"message", "type", "code"}}`) and status.
    static func error(_ response: SignedHTTPClient.Response, object: String, endpoint: String, signingName: String) -> IcebergError {
        let parsed = try? JSONObject.parse(response.body, context: "error")
        let body = parsed.flatMap { try? $0.object("error") }
        let type = body?.optionalString("type") ?? ""
        var message = body?.optionalString("message") ?? String(decoding: response.body.prefix(200), as: UTF8.self)
        // AWS services echo the canonical request (which holds the signed session token) in
        // signature errors: keep only the sentence before it.
        if let cut = message.range(of: "The Canonical String") ?? message.range(of: "canonical request") {
            message = String(message[..<cut.lowerBound])
        }
        let permissions = signingName == "glue" ? "glue:GetCatalog, glue:GetDatabase(s), glue:GetTable(s)"
            : signingName == "s3tables" ? "s3tables:GetTableBucket, s3tables:ListNamespaces, s3tables:ListTables, s3tables:GetTable, s3tables:GetTableMetadataLocation"
            : "the catalog's read permissions"
        let code: IcebergError.Code
        var text = message
        switch response.status {
        case 401:
            code = .notAuthorized
            text = "the catalog did not accept the credentials (check the access key, secret key and region): \(message)"
        case 403:
            code = .forbidden
            text = "the credentials lack a permission (\(permissions)) or sign for another region: \(message)"
        case 419:
            code = .credentialsExpired
            text = "the credentials have expired: \(message)"
        case 404 where type.contains("Namespace"):
            code = .noSuchNamespace
        case 404:
            code = type.contains("Namespace") ? .noSuchNamespace : .noSuchTable
        default:
            code = .invalidResponse
        }
        return IcebergError(code, text, object: object, endpoint: endpoint, status: response.status)
    }
}
