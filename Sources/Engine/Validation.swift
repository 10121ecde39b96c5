import Foundation
import Iceberg
import ObjectStore
import Parquet
import Pinot
import PinotController

/// `validate`: proves each step of reaching a table on its own (DESIGN.md, "Validating a
/// connection") and reports each, naming the endpoint, region and signing name used, and on
/// failure what to check in the user's terms.
public struct ConnectionValidator: Sendable {
    public struct Step: Sendable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    public let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// Every step: the source's, then for a controller push the controller's.
    public func run() async -> [Step] {
        var steps = await sourceSteps()
        if connection.configuration.push.mode != .local { steps += await controllerSteps() }
        return steps
    }

    /// The controller: reachable (`/health`), the authorization accepted and the OFFLINE table
    /// present (`GET /tables/{table}`), or `createTable` on.
    func controllerSteps() async -> [Step] {
        let config = connection.configuration
        var steps: [Step] = []
        let pusher: ControllerSegmentPusher
        do {
            pusher = try ControllerSegmentPusher(configuration: config, io: connection.io)
        } catch {
            return [Step(name: "controller", ok: false, detail: "\(error)")]
        }
        let endpoint = pusher.controller.endpoint
        do {
            guard try await pusher.controller.health() else {
                return [Step(name: "controller health", ok: false, detail: "\(endpoint): /health did not answer OK — check push.controllerUri")]
            }
            steps.append(Step(name: "controller health", ok: true, detail: "\(endpoint): OK"))
        } catch {
            return [Step(name: "controller health", ok: false, detail: "\(endpoint): \(error) — check push.controllerUri and that the controller is up")]
        }
        do {
            if try await pusher.controller.offlineTable(named: config.table) != nil {
                steps.append(Step(name: "controller table \(config.table)", ok: true, detail: "\(endpoint): OFFLINE table present, authorization accepted"))
            } else if config.push.createTable {
                steps.append(Step(name: "controller table \(config.table)", ok: true, detail: "\(endpoint): no OFFLINE table yet; push.createTable will create it"))
            } else {
                steps.append(Step(name: "controller table \(config.table)", ok: false,
                                  detail: "\(endpoint): no OFFLINE table \(config.table) — create it, or set push.createTable to true"))
            }
        } catch let error as ControllerError where error.code == .notAuthorized {
            steps.append(Step(name: "controller authorization", ok: false, detail: "\(error.message)"))
        } catch {
            steps.append(Step(name: "controller table \(config.table)", ok: false, detail: "\(endpoint): \(error)"))
        }
        return steps
    }

    func sourceSteps() async -> [Step] {
        var steps: [Step] = []
        let config = connection.configuration
        let storageRegion = config.source.storage?.region ?? "us-east-1"
        let storageEndpoint = config.source.storage?.endpoint ?? "https://s3.\(storageRegion).amazonaws.com"
        let s3Where = "storage \(storageEndpoint), region \(storageRegion), signing name s3"
        /// Where `uri` is read from: local files name no S3 endpoint.
        func place(_ uri: String?) -> String {
            uri.map { $0.hasPrefix("file:") || $0.hasPrefix("/") } == true ? "local files" : s3Where
        }
        var storageWhere = place(config.source.location)
        func record(_ name: String, _ body: () async throws -> String) async -> Bool {
            do {
                steps.append(Step(name: name, ok: true, detail: try await body()))
                return true
            } catch {
                steps.append(Step(name: name, ok: false, detail: Self.advice(error)))
                return false
            }
        }
        var metadata: TableMetadata?
        switch config.source.type {
        case .icebergRest:
            guard let catalog = connection.catalog else { break }
            let where_ = catalog.endpointDescription
            guard await record("catalog authentication (config)", {
                let properties = try await catalog.loadConfig()
                return "\(where_): \(properties.count) properties"
            }) else { return steps }
            guard await record("list namespaces", {
                let namespaces = try await catalog.listNamespaces()
                return "\(where_): \(namespaces.count) namespaces"
            }) else { return steps }
            // A connection-only configuration stops where it names nothing more to prove.
            guard !connection.namespace.isEmpty else { return steps }
            guard await record("list tables in \(config.source.namespace ?? "")", {
                let tables = try await catalog.listTables(namespace: connection.namespace)
                if let name = config.source.tableName, !tables.contains(where: { $0.name == name }) {
                    throw EngineError(.notFound, "table \(name) is not among the \(tables.count) tables of the namespace")
                }
                return "\(where_): \(tables.count) tables"
            }) else { return steps }
            guard config.source.tableName != nil else { return steps }
            guard await record("load table \(config.source.tableName ?? "")", {
                let loaded = try await connection.loadTable()
                metadata = loaded.metadata
                return "\(where_): format v\(loaded.metadata.formatVersion), \(loaded.metadata.snapshots.count) snapshots, metadata \(loaded.location ?? "-")"
            }) else { return steps }
        case .icebergTable:
            guard await record("read table metadata", {
                let loaded = try await connection.loadTable()
                metadata = loaded.metadata
                return "\(storageWhere): \(loaded.location ?? "")"
            }) else { return steps }
        case .s3DataLake:
            let location = config.source.location ?? ""
            var first: (uri: String, size: Int)?
            guard await record("list \(location)", {
                let files = try await DataLakeListing.parquetFiles(at: location, io: connection.io)
                guard let file = files.first else {
                    throw EngineError(.notFound, "\(storageWhere): no Parquet files under \(location) — check source.location (the prefix, or its folders, must hold .parquet files)")
                }
                first = (file.uri, file.info.size)
                return "\(storageWhere): \(files.count) Parquet files"
            }) else { return steps }
            if let first {
                guard await record("read a data file footer", { try await footer(first.uri, size: first.size, where: storageWhere) }) else { return steps }
            }
            _ = await record("time column", { try await timeColumnStep(file: first, io: connection.io) })
            return steps
        }
        guard let metadata, let head = metadata.mainSnapshotId.flatMap(metadata.snapshot(id:)), let list = head.manifestList else {
            steps.append(Step(name: "read manifest list", ok: true, detail: "the table has no snapshot yet: nothing to read"))
            return steps
        }
        storageWhere = place(list)
        var dataFile: DataFile?
        guard await record("read manifest list", {
            let io = connection.io(for: metadata)
            let manifests = try ManifestFile.readList(try await io.read(list), path: list)
            if let manifest = manifests.first(where: { $0.content == .data }) {
                let entries = try ManifestEntry.readManifest(try await io.read(manifest.path), manifest: manifest)
                dataFile = entries.first(where: { $0.status != .deleted })?.dataFile
            }
            return "\(storageWhere): \(list)"
        }) else { return steps }
        if let dataFile {
            guard await record("read a data file footer", {
                try await footer(dataFile.path, size: Int(dataFile.fileSizeInBytes), where: storageWhere, io: connection.io(for: metadata))
            }) else { return steps }
        }
        _ = await record("time column", {
            try await timeColumnStep(file: dataFile.map { ($0.path, Int($0.fileSizeInBytes)) }, io: connection.io(for: metadata), metadata: metadata)
        })
        return steps
    }

    private func footer(_ uri: String, size: Int, where place: String, io: FileIO? = nil) async throws -> String {
        let io = io ?? connection.io
        let (store, key) = try io.resolve(uri)
        let reader = try await ParquetFileReader(source: ObjectParquetSource(store: store, key: key, size: size), name: uri)
        return "\(place): \(uri): \(reader.rowCount) rows, \(reader.schema.fields.count) columns"
    }

    /// What to check, in the user's terms.
    static func advice(_ error: any Error) -> String {
        if let error = error as? ObjectStoreError {
            switch error.code {
            case .accessDenied: return "\(error) — check that the storage credentials allow s3:GetObject and s3:ListBucket on the table location"
            case .signatureMismatch: return "\(error) — check the storage secret key"
            case .invalidAccessKey: return "\(error) — check the storage access key id"
            case .noSuchBucket: return "\(error) — check the bucket name and the storage region"
            case .wrongRegion: return "\(error) — the storage region does not match the bucket's region"
            default: return "\(error)"
            }
        }
        if let error = error as? IcebergError {
            if error.code == .storage, let cause = error.underlying { return "\(error.message) \(error.object ?? ""): \(advice(cause))" }
            return "\(error)"
        }
        return "\(error)"
    }
}

/// The S3 data lake source: Parquet files under a location.
public enum DataLakeListing {
    /// `*.parquet` objects under `location`, in key order, skipping empty objects and anything
    /// whose name or folder below the location starts with `_` or `.` (`_SUCCESS`, Spark's
    /// `_temporary/`, hidden staging files).
    public static func parquetFiles(at location: String, io: FileIO) async throws -> [(uri: String, info: ObjectInfo)] {
        try await list(at: location, io: io).parquet
    }

    /// A listing: the Parquet files, and the other objects it passed over with the reason.
    public struct Listing: Sendable {
        public var parquet: [(uri: String, info: ObjectInfo)]
        /// Objects that are not read: their URI and why.
        public var skipped: [(uri: String, reason: String)]

        /// A status note naming what was skipped (the first few), or nil when nothing was.
        public var skippedNote: String? {
            guard !skipped.isEmpty else { return nil }
            let shown = skipped.prefix(5).map { "\($0.uri) (\($0.reason))" }.joined(separator: ", ")
            return "\(skipped.count) objects under the location are not read: \(shown)\(skipped.count > 5 ? ", …" : "")"
        }
    }

    /// Every object under `location`: `*.parquet` files (any case) to read, and the others
    /// with why they are not read. Marker and staging objects (`_SUCCESS`, `_temporary/`,
    /// hidden files) are left out of both, as every Hadoop reader leaves them out.
    public static func list(at location: String, io: FileIO) async throws -> Listing {
        var prefix = location
        if !prefix.hasSuffix("/") { prefix += "/" }
        var listing = Listing(parquet: [], skipped: [])
        for entry in try await io.list(prefix) {
            let components = entry.uri.dropFirst(prefix.count).split(separator: "/")
            guard let name = components.last, !components.contains(where: { $0.hasPrefix("_") || $0.hasPrefix(".") }) else { continue }
            if !name.lowercased().hasSuffix(".parquet") {
                listing.skipped.append((entry.uri, "not named *.parquet"))
            } else if entry.info.size == 0 {
                listing.skipped.append((entry.uri, "empty"))
            } else {
                listing.parquet.append(entry)
            }
        }
        return listing
    }

    /// The files to ingest since a checkpoint that recorded each ingested file's ETag: files not
    /// seen before, and files whose ETag changed (rewritten in place), in key order.
    public static func newFiles(
        _ files: [(uri: String, info: ObjectInfo)], ingested: [String: String]
    ) -> [(uri: String, info: ObjectInfo)] {
        files.filter { file in ingested[file.uri].map { $0 != (file.info.etag ?? "") } ?? true }
    }
}
