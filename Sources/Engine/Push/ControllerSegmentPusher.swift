import Foundation
import Iceberg
import ObjectStore
import Pinot
import PinotController

/// Pushes to a Pinot controller (`push.mode` `tar` or `metadata`, DESIGN.md):
///
/// - `tar`: the tarball streamed to `POST /v2/segments` as one multipart part;
/// - `metadata`: the full tarball put at `deepStoreUri` + `<name>.tar.gz` (`.tar.zst`) through
///   the object store (S3 multipart above a part size, or `file://`), then the metadata bundle
///   posted with `DOWNLOAD_URI` naming that object and `COPY_SEGMENT_TO_DEEP_STORE: false`.
///
/// Before the first push of a run the OFFLINE table must exist; with `createTable` the schema
/// and an OFFLINE table config (null handling on, the time column, APPEND, the raw columns the
/// first segment has) are created when missing. A segment pushed again under its name replaces
/// the old one on the controller, which is what makes reruns exact.
struct ControllerSegmentPusher: SegmentPusher {
    let controller: PinotController
    let mode: TaskConfiguration.PushMode
    let table: String
    let createTable: Bool
    private let deepStore: (io: FileIO, base: String)?

    init(configuration: TaskConfiguration, io: FileIO) throws {
        guard let uri = configuration.push.controllerUri else {
            throw EngineError(.invalidConfiguration, "push.controllerUri is required for push mode \(configuration.push.mode.rawValue)")
        }
        let authorization = configuration.push.authorization?.reveal() ?? ProcessInfo.processInfo.environment["PINOT_AUTHORIZATION"]
        controller = try PinotController(PinotController.Configuration(
            uri: uri, authorization: authorization?.isEmpty == false ? authorization : nil,
            retry: RetryPolicy(maxAttempts: configuration.push.attempts, baseDelay: .milliseconds(200), maxDelay: .seconds(10)),
            timeout: .seconds(configuration.push.timeoutSeconds), minimumBytesPerSecond: configuration.push.minUploadBytesPerSecond))
        mode = configuration.push.mode
        table = configuration.table
        createTable = configuration.push.createTable
        if configuration.push.mode == .metadata {
            guard var base = configuration.push.deepStoreUri else {
                throw EngineError(.invalidConfiguration, "push.deepStoreUri is required for push mode metadata")
            }
            if !base.hasSuffix("/") { base += "/" }
            deepStore = (io, base)
        } else {
            deepStore = nil
        }
    }

    /// The controller's OFFLINE table config, as Pinot's JSON, when the table exists.
    /// - Throws: `.notFound` at once when there is none and `createTable` is off.
    func tableConfigJSON() async throws -> [UInt8]? {
        guard let config = try await mapped({ try await controller.offlineTable(named: table) }) else {
            if createTable { return nil }
            throw missingTable
        }
        return [UInt8](try JSONSerialization.data(withJSONObject: config))
    }

    private var missingTable: EngineError {
        EngineError(.notFound,
            "the controller \(controller.endpoint) has no OFFLINE table \(table): create it there, or set push.createTable to true to create the schema and table from the derived schema")
    }

    func prepare(schema: PinotSchema, first: SealedSegment) async throws {
        try await create(schema: schema, rawColumns: first.summary.rawColumns)
    }

    /// Without a segment to learn raw columns from, the table is created with every column
    /// dictionary-encoded (the segments are then built so, as its config says).
    func prepareTable(schema: PinotSchema) async throws {
        try await create(schema: schema, rawColumns: [])
    }

    private func create(schema: PinotSchema, rawColumns: [String]) async throws {
        if try await mapped({ try await controller.offlineTable(named: table) }) != nil { return }
        guard createTable else { throw missingTable }
        if try await mapped({ try await controller.schema(named: schema.schemaName) }) == nil {
            try await mapped { try await controller.createSchema(schema.jsonText()) }
        }
        let json = OfflineTableConfig.json(table: table, schema: schema, rawColumns: rawColumns)
        try await mapped { try await controller.createTable(json) }
    }

    func push(_ segment: SealedSegment) async throws {
        switch mode {
        case .metadata:
            guard let deepStore else { return }
            let uri = deepStore.base + segment.fileName
            do {
                let (store, key) = try deepStore.io.resolve(uri)
                try await store.putFile(key, path: segment.tarball)
            } catch {
                throw FailureReport.engineError(error, file: uri, context: "cannot put segment \(segment.name) into deep store")
            }
            let bundle = try MetadataBundle.make(name: segment.name, metadataProperties: segment.summary.metadataProperties,
                                                 creationMeta: segment.summary.creationMeta)
            try await mapped { try await controller.uploadMetadata(name: segment.name, table: table, bundle: bundle, downloadURI: uri) }
        default:
            try await mapped {
                try await controller.uploadSegment(name: segment.name, table: table, tarball: segment.tarball, fileName: segment.fileName)
            }
        }
    }

    /// `startReplaceSegments` with `forceCleanup` (an entry of ours left in progress by a run
    /// killed before it recorded the id is reverted): the lineage entry's id.
    func beginSwap(from: [String], to: [String], forceCleanup: Bool) async throws -> String? {
        try await mapped { try await controller.startReplaceSegments(table: table, from: from, to: to, forceCleanup: forceCleanup) }
    }

    /// `endReplaceSegments` (a 500 is retried: the controller may still be waiting for the
    /// segments to come online).
    func endSwap(id: String?, from: [String], to: [String]) async throws {
        guard let id else { return }
        try await mapped { try await controller.endReplaceSegments(table: table, id: id, segmentsTo: to) }
    }

    /// The controller answers the lineage API for the table.
    func supportsLineage() async -> Bool {
        (try? await controller.lineage(table: table)) != nil
    }

    func swapCompleted(id: String?, from: [String], to: [String]) async throws -> Bool {
        guard let id else { return false }
        return try await mapped { try await controller.lineage(table: table)[id]?.state == .completed }
    }

    /// `revertReplaceSegments?forceRevert=true` for an entry still in progress; nothing for one
    /// already reverted or unknown.
    func revertSwap(id: String?, from: [String], to: [String]) async throws {
        guard let id, try await mapped({ try await controller.lineage(table: table)[id]?.state }) == .inProgress else { return }
        try await mapped { try await controller.revertReplaceSegments(table: table, id: id, force: true) }
    }

    /// Controller errors as engine errors: refused pushes are `pushRejected`, a refused
    /// authorization `credentials`, a missing table `notFound`.
    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ControllerError {
            let code: EngineError.Code
            switch error.code {
            case .notAuthorized: code = .credentials
            case .tableNotFound: code = .notFound
            case .controllerRejected, .controllerUnavailable, .timeout: code = .pushRejected
            case .connectionRefused: code = .io
            default: code = .io
            }
            throw EngineError(code, error.message, underlying: error)
        }
    }
}

/// The OFFLINE table config `createTable` sends (spec §12).
enum OfflineTableConfig {
    static func json(table: String, schema: PinotSchema, rawColumns: [String]) -> String {
        var segments: [String: Any] = ["replication": "1", "segmentPushType": "APPEND", "schemaName": schema.schemaName]
        if let time = schema.fields.first(where: { $0.role == .dateTime }) { segments["timeColumnName"] = time.name }
        let config: [String: Any] = [
            "tableName": table, "tableType": "OFFLINE", "segmentsConfig": segments, "tenants": [String: Any](),
            "tableIndexConfig": ["loadMode": "MMAP", "noDictionaryColumns": rawColumns.sorted(), "nullHandlingEnabled": true],
            "metadata": [String: Any](),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
