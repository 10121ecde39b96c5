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
        let storageCredentials = (storage ?? TaskConfiguration.Credentials()).resolved()
        let region = storage?.region ?? "us-east-1"
        io = FileIO { bucket in
            S3ObjectStore(S3Configuration(
                bucket: bucket, region: region,
                credentials: storageCredentials ?? AWSCredentials(accessKeyId: "", secretAccessKey: ""),
                endpoint: storage?.endpoint, pathStyle: storage?.pathStyle ?? (storage?.endpoint != nil)))
        }
        if configuration.source.type == "iceberg-rest" {
            let metastore = configuration.source.metastore
            catalog = try RESTCatalog(RESTCatalog.Configuration(
                flavour: RESTFlavour(rawValue: configuration.source.restService ?? "rest") ?? .rest,
                uri: configuration.source.uri, warehouse: configuration.source.warehouse, region: metastore?.region,
                credentials: (metastore ?? TaskConfiguration.Credentials()).resolved()))
        } else {
            catalog = nil
        }
    }

    /// The namespace as levels (`a.b` → [a, b]).
    public var namespace: [String] {
        (configuration.source.namespace ?? "").split(separator: ".").map(String.init)
    }

    /// The table's current metadata and where it was read from. With `fullHistory`, a catalog's
    /// answer (which holds only the referenced snapshots: `snapshots=refs`) is replaced by the
    /// metadata file it names, read from storage, so planning can walk the whole ancestry.
    public func loadTable(fullHistory: Bool = false) async throws -> (metadata: TableMetadata, location: String?) {
        let source = configuration.source
        switch source.type {
        case "iceberg-rest":
            guard let catalog, let name = source.tableName else {
                throw EngineError(.invalidConfiguration, "source.namespace and source.tableName are required for iceberg-rest")
            }
            let loaded = try await catalog.loadTable(TableIdentifier(namespace: namespace, name: name))
            if fullHistory, let location = loaded.metadataLocation {
                return (try TableMetadata.parse(try await io.read(location), source: location), location)
            }
            return (loaded.metadata, loaded.metadataLocation)
        case "iceberg-table":
            let location = configuration.resolveLocation(source.location ?? "")
            let metadataLocation = try await TableLocation.currentMetadata(at: location, io: io)
            return (try TableMetadata.parse(try await io.read(metadataLocation), source: metadataLocation), metadataLocation)
        default:
            throw EngineError(.unsupported, "\(source.type) has no Iceberg metadata")
        }
    }
}

/// Finding a table's current metadata file without a catalog: `metadata/version-hint.text`
/// where present, else the newest `metadata/*.metadata.json`.
public enum TableLocation {
    public static func currentMetadata(at location: String, io: FileIO) async throws -> String {
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
