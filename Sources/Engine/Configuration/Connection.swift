import Foundation
import Iceberg
import ObjectStore

/// The reachable pieces a task configuration names: object stores for data (storage
/// credentials), the catalog (metastore credentials), and how the table's metadata is found.
public struct Connection: Sendable {
    public let configuration: TaskConfiguration
    public let io: FileIO
    public let catalog: RESTCatalog?

    public init(_ configuration: TaskConfiguration) throws {
        self.configuration = configuration
        let storage = configuration.source.storage
        let region = storage?.region ?? "us-east-1"
        let storageProvider = (storage ?? TaskConfiguration.Credentials()).provider(region: region)
        var io = FileIO { bucket in
            guard let storageProvider else { return MissingCredentialsStore(bucket: bucket) }
            var s3 = S3Configuration(
                bucket: bucket, region: region, credentials: AWSCredentials(accessKeyId: "", secretAccessKey: ""),
                endpoint: storage?.endpoint, pathStyle: storage?.pathStyle ?? (storage?.endpoint != nil))
            s3.credentialProvider = storageProvider
            return S3ObjectStore(s3)
        }
        if let mapping = configuration.source.locationMapping { io = io.mapping(mapping.from, to: mapping.to) }
        self.io = io
        if configuration.source.type == .icebergRest {
            let metastore = configuration.source.metastore ?? TaskConfiguration.Credentials()
            var catalogConfiguration = RESTCatalog.Configuration(
                flavour: RESTFlavour(rawValue: configuration.source.restService?.rawValue ?? "rest") ?? .rest,
                uri: configuration.source.uri, warehouse: configuration.source.warehouse, region: metastore.region,
                credentials: metastore.resolved())
            catalogConfiguration.credentialProvider = metastore.roleArn == nil && metastore.resolved() != nil
                ? nil : metastore.provider(region: metastore.region ?? "us-east-1")
            catalog = try RESTCatalog(catalogConfiguration)
        } else {
            catalog = nil
        }
    }

    /// The namespace as levels (`a.b` → [a, b]).
    public var namespace: [String] { configuration.namespaceLevels }

    /// The table's current metadata and where it was read from. With `fullHistory`, a catalog's
    /// answer (which holds only the referenced snapshots: `snapshots=refs`) is replaced by the
    /// metadata file it names, read from storage, so planning can walk the whole ancestry.
    public func loadTable(fullHistory: Bool = false) async throws -> (metadata: TableMetadata, location: String?) {
        let source = configuration.source
        switch source.type {
        case .icebergRest:
            guard let catalog, let name = source.tableName else {
                throw EngineError(.invalidConfiguration, "source.namespace and source.tableName are required for iceberg-rest")
            }
            let loaded = try await catalog.loadTable(TableIdentifier(namespace: namespace, name: name))
            if fullHistory, let location = loaded.metadataLocation {
                return (try TableMetadata.parse(try await io.read(location), source: location), location)
            }
            return (loaded.metadata, loaded.metadataLocation)
        case .icebergTable:
            let location = source.location ?? ""
            let metadataLocation = try await TableLocation.currentMetadata(at: location, io: io)
            return (try TableMetadata.parse(try await io.read(metadataLocation), source: metadataLocation), metadataLocation)
        case .s3DataLake:
            throw EngineError(.unsupported, "\(source.type.rawValue) has no Iceberg metadata")
        }
    }

    /// The FileIO that reads a loaded table's files: for an `iceberg-table` source whose
    /// metadata records another location (a table that was copied or moved), paths under the
    /// recorded location are read under the configured one.
    public func io(for metadata: TableMetadata) -> FileIO {
        guard configuration.source.type == .icebergTable, let location = configuration.source.location else { return io }
        let trim = { (text: String) in text.hasSuffix("/") ? String(text.dropLast()) : text }
        guard trim(metadata.location) != trim(location) else { return io }
        return io.mapping(metadata.location, to: location)
    }
}

/// Finding a table's current metadata file without a catalog: `metadata/version-hint.text`
/// where present, else the newest `metadata/*.metadata.json`.
enum TableLocation {
    static func currentMetadata(at location: String, io: FileIO) async throws -> String {
        var base = location
        while base.hasSuffix("/") { base.removeLast() }
        let directory = base + "/metadata/"
        if let hint = try? await io.read(directory + "version-hint.text") {
            let version = String(decoding: hint, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !version.isEmpty {
                let candidate = directory + "v\(version).metadata.json"
                if (try? await io.read(candidate)) != nil { return candidate }
            }
        }
        let files = try await io.list(directory).map(\.uri).filter { $0.hasSuffix(".metadata.json") }
        guard let newest = files.max(by: { version(of: $0) < version(of: $1) }) else {
            throw IcebergError(.missingObject, "no metadata/*.metadata.json under the table location", object: location)
        }
        return newest
    }

    /// The version number of `00003-uuid.metadata.json` or `v3.metadata.json` (then the name).
    static func version(of uri: String) -> (Int, String) {
        let name = String(uri.split(separator: "/").last ?? "")
        let digits = name.drop(while: { $0 == "v" }).prefix(while: \.isNumber)
        return (Int(digits) ?? -1, name)
    }
}

/// The store for an `s3://` bucket when no storage credentials were given or found: every call
/// fails with a credentials error naming what to set, instead of signing with empty keys.
struct MissingCredentialsStore: ObjectStore {
    let bucket: String

    private var error: EngineError {
        EngineError(.credentials,
            "no storage credentials for s3://\(bucket): set source.storage.accessKey and source.storage.secretKey, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    }

    func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> {
        AsyncThrowingStream { $0.finish(throwing: error) }
    }
    func head(_ key: String) async throws -> ObjectInfo { throw error }
    func get(_ key: String, range: ByteRange?) async throws -> [UInt8] { throw error }
    func put(_ key: String, body: [UInt8]) async throws { throw error }
}
