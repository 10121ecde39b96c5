import Foundation
import ObjectStore
import Pinot

/// The task configuration (DESIGN.md, "The task configuration"): where the data is, how to reach
/// it, how to derive the Pinot schema, how to build and push segments, where the state lives.
/// Read and validated at once: enums instead of strings, every relative path made absolute
/// against the configuration file's folder, unknown keys refused by name, secrets held as
/// ``Secret``s that never print.
public struct TaskConfiguration: Sendable {
    public enum SourceType: String, Sendable, CaseIterable {
        case icebergRest = "iceberg-rest", icebergTable = "iceberg-table", s3DataLake = "s3-data-lake"
    }

    public enum RESTService: String, Sendable, CaseIterable { case glue, s3tables, rest }

    /// What to do with `overwrite`, `delete` and `replace` snapshots: apply them (`mirror`: the
    /// segments holding removed files are rebuilt and swapped), stop (`fail`) or ignore them (`skip`).
    public enum NonAppendPolicy: String, Sendable, CaseIterable { case mirror, fail, skip }

    public enum PushMode: String, Sendable, CaseIterable { case local, tar, metadata }

    public struct Source: Sendable, CustomReflectable {
        public var type: SourceType
        public var restService: RESTService?
        public var uri: String?
        public var warehouse: String?
        public var namespace: String?
        public var tableName: String?
        public var location: String?
        public var metastore: Credentials?
        public var storage: Credentials?
        public var nonAppendSnapshots: NonAppendPolicy = .mirror
        /// Reads a table whose files moved: every path the metadata records under `from` is read
        /// under `to` instead. For `iceberg-table` sources the metadata's own `location` is
        /// mapped onto the configured location without this.
        public var locationMapping: (from: String, to: String)?

        /// The catalog URI without userinfo; credentials print redacted.
        public var customMirror: Mirror {
            Mirror(self, children: [
                "type": type, "restService": restService as Any, "uri": uri.map(ObjectStoreURI.redacted) as Any,
                "warehouse": warehouse as Any, "namespace": namespace as Any, "tableName": tableName as Any,
                "location": location as Any, "metastore": metastore as Any, "storage": storage as Any,
                "nonAppendSnapshots": nonAppendSnapshots, "locationMapping": locationMapping as Any,
            ], displayStyle: .struct)
        }
    }

    public struct SchemaOptions: Sendable {
        public var name: String?
        /// The date-time column; when absent, the source of the first year/month/day/hour
        /// partition field.
        public var timeColumn: String?
        /// `"timeColumn": null`: no time column at all, not even a partition's source.
        public var noTimeColumn = false
        public var includePartitionColumns = true
        /// Columns left out of the Pinot table (and not read).
        public var excludeColumns: [String] = []
        /// Pinot's `maxLength` of string columns, by column name; `*` is every other string
        /// column's (512, Pinot's default, when absent).
        public var maxLength: [String: Int] = [:]
    }

    public struct SegmentOptions: Sendable {
        public var maxRowsPerSegment = 5_000_000
        /// The memory a segment's column stores may hold before it seals (about its uncompressed size).
        public var maxBytesPerSegment = 1 << 30
    }

    public struct PushOptions: Sendable, CustomReflectable {
        public var mode: PushMode = .local
        public var outputDir = "out/segments"
        public var controllerUri: String?
        public var deepStoreUri: String?
        /// The controller's `Authorization` header value (`PINOT_AUTHORIZATION` when absent).
        public var authorization: Secret?
        public var createTable = false
        /// Each step's new segments become visible together, through a lineage entry opened
        /// before its first upload and ended with its checkpoint. Nil: wherever the controller
        /// answers the lineage API.
        public var atomicSteps: Bool?
        public var tarCompression: TarballCompression = .gzip
        /// A controller request's time budget: this many seconds plus its body at
        /// `minUploadBytesPerSecond` (so a gigabyte segment gets minutes, a schema call seconds).
        public var timeoutSeconds = 60
        public var minUploadBytesPerSecond = 4 << 20
        /// Attempts per controller request (5xx answers and connection failures are retried).
        public var attempts = 4

        public var customMirror: Mirror {
            Mirror(self, children: ["mode": mode, "outputDir": outputDir, "controllerUri": controllerUri.map(ObjectStoreURI.redacted) as Any,
                                    "deepStoreUri": deepStoreUri as Any, "createTable": createTable, "tarCompression": tarCompression],
                   displayStyle: .struct)
        }
    }

    /// How many things each stage does at once and how much may wait between stages; the
    /// defaults follow the machine's core count.
    public struct PipelineOptions: Sendable {
        /// Files whose footers are read ahead of decoding (a file within one request's worth of
        /// bytes is read whole: see ``ObjectParquetSource``).
        public var fetchConcurrency: Int
        /// Row groups fetched and decoded at once.
        public var decodeConcurrency: Int
        /// Decoded bytes that may wait for the segment builder (the decode window and channel).
        public var decodedBytesInFlight: Int
        /// Columns built at once when a segment seals.
        public var buildConcurrency: Int
        /// Sealed segments that may wait for the pusher.
        public var sealedSegmentsInFlight: Int

        public init(cores: Int = ProcessInfo.processInfo.activeProcessorCount) {
            fetchConcurrency = max(16, 4 * cores)
            decodeConcurrency = max(1, cores)
            decodedBytesInFlight = 64 << 20
            buildConcurrency = max(1, cores)
            sealedSegmentsInFlight = 1
        }
    }

    public var taskName: String
    public var enabled = true
    public var table: String
    public var source: Source
    public var schema = SchemaOptions()
    public var segments = SegmentOptions()
    public var push = PushOptions()
    public var pipeline = PipelineOptions()
    /// Absolute.
    public var stateDir: String
    public var schedule: CronSchedule
    public var continueOnFileError = false
    /// Leave out a row whose value Pinot cannot hold (a time value outside 1971–2071 or null)
    /// instead of failing the run; Pinot's `continueOnError`.
    public var continueOnRowError = false
    /// The configuration names no `table` (a connection-only one): the table chosen on the
    /// command line names the schema.
    public var tableIsDefault = false
    /// The folder of the configuration file (absolute): relative paths are relative to it.
    public var baseDirectory: String

    /// What a configuration is read for.
    public enum Scope: Sendable {
        /// A task: every key `run` needs.
        case task
        /// Browsing a source before a task exists (`validate`, `namespaces`, `tables`,
        /// `schema`): the source type, catalog and credentials are enough; `taskName`, `table`,
        /// the namespace and the table name may be left out.
        case connection
    }

    /// Reads and validates a configuration file.
    /// - Throws: `EngineError.invalidConfiguration` naming the file and the key.
    public static func load(path: String, scope: Scope = .task) throws(EngineError) -> TaskConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError(.invalidConfiguration, "cannot read the configuration file \(path)")
        }
        let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
            .standardizedFileURL
        return try parse(data, file: path, baseDirectory: absolute.deletingLastPathComponent().path, scope: scope)
    }

    /// Parses configuration JSON; relative paths resolve against `baseDirectory`.
    public static func parse(_ data: Data, file: String = "task configuration", baseDirectory: String,
                             scope: Scope = .task) throws(EngineError) -> TaskConfiguration {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw EngineError(.invalidConfiguration, "\(file) is not valid JSON: \(JSONErrorText.describe(error, in: data))", file: file)
        }
        guard let object = json as? [String: Any] else {
            throw EngineError(.invalidConfiguration, "\(file) is not a JSON object")
        }
        if let duplicate = DuplicateKeys.first(in: [UInt8](data)) {
            throw EngineError(.invalidConfiguration,
                "\(file): the key \"\(duplicate.key)\" appears twice in one object (line \(duplicate.line)); JSON keeps only one of them, so say it once")
        }
        var root = ConfigReader(object, path: "", file: file)
        let base = baseDirectory.hasPrefix("/") ? baseDirectory : FileManager.default.currentDirectoryPath + "/" + baseDirectory
        guard var sourceReader = try root.object("source") else {
            throw EngineError(.invalidConfiguration, "\(file): \"source\" is required")
        }
        let sourceType = try sourceReader.choice("type", SourceType.self)
        guard let sourceType else { throw EngineError(.invalidConfiguration, "\(file): \"source.type\" is required") }
        var source = Source(type: sourceType)
        source.restService = try sourceReader.choice("restService", RESTService.self)
        source.uri = try sourceReader.string("uri")
        source.warehouse = try sourceReader.string("warehouse")
        source.namespace = try sourceReader.string("namespace")
        source.tableName = try sourceReader.string("tableName")
        source.location = try sourceReader.string("location")
        source.metastore = try credentials(&sourceReader, "metastore")
        source.storage = try credentials(&sourceReader, "storage")
        source.nonAppendSnapshots = try sourceReader.choice("nonAppendSnapshots", NonAppendPolicy.self, default: .mirror)!
        if var mapping = try sourceReader.object("locationMapping") {
            source.locationMapping = (try mapping.required("from"), try mapping.required("to"))
            try mapping.finish()
        }
        try sourceReader.finish()

        var schema = SchemaOptions()
        if var reader = try root.object("schema") {
            schema.name = try reader.string("name")
            schema.noTimeColumn = reader.isNull("timeColumn")
            schema.timeColumn = try reader.string("timeColumn")
            schema.includePartitionColumns = try reader.bool("includePartitionColumns") ?? true
            if let excluded = reader.any("excludeColumns") {
                guard let names = excluded as? [String], names.allSatisfy({ !$0.isEmpty }) else {
                    throw EngineError(.invalidConfiguration, "\(file): \"schema.excludeColumns\" must be a list of column names")
                }
                schema.excludeColumns = names
            }
            if let limits = reader.any("maxLength") {
                schema.maxLength = try Self.maxLength(limits, file: file)
            }
            try reader.finish()
        }
        var segments = SegmentOptions()
        if var reader = try root.object("segments") {
            segments.maxRowsPerSegment = try reader.int("maxRowsPerSegment") ?? segments.maxRowsPerSegment
            segments.maxBytesPerSegment = try reader.int("maxBytesPerSegment") ?? segments.maxBytesPerSegment
            try reader.finish()
        }
        var push = PushOptions()
        if var reader = try root.object("push") {
            push.mode = try reader.choice("mode", PushMode.self, default: .local)!
            push.outputDir = try reader.string("outputDir") ?? push.outputDir
            push.controllerUri = try reader.string("controllerUri")
            push.deepStoreUri = try reader.string("deepStoreUri")
            push.authorization = try reader.string("authorization").map(Secret.init)
            push.createTable = try reader.bool("createTable") ?? false
            push.atomicSteps = try reader.bool("atomicSteps")
            push.tarCompression = try reader.choice("tarCompression", TarballCompression.self, default: .gzip)!
            push.timeoutSeconds = try reader.int("timeoutSeconds") ?? push.timeoutSeconds
            push.minUploadBytesPerSecond = try reader.int("minUploadBytesPerSecond") ?? push.minUploadBytesPerSecond
            push.attempts = try reader.int("attempts") ?? push.attempts
            try reader.finish()
        }
        var pipeline = PipelineOptions()
        if var reader = try root.object("pipeline") {
            pipeline.fetchConcurrency = try reader.int("fetchConcurrency") ?? pipeline.fetchConcurrency
            pipeline.decodeConcurrency = try reader.int("decodeConcurrency") ?? pipeline.decodeConcurrency
            pipeline.decodedBytesInFlight = try reader.int("decodedBytesInFlight") ?? pipeline.decodedBytesInFlight
            pipeline.buildConcurrency = try reader.int("buildConcurrency") ?? pipeline.buildConcurrency
            pipeline.sealedSegmentsInFlight = try reader.int("sealedSegmentsInFlight") ?? pipeline.sealedSegmentsInFlight
            try reader.finish()
        }
        let scheduleText = try root.string("schedule") ?? "*/5 * * * *"
        let schedule: CronSchedule
        do {
            schedule = try CronSchedule(scheduleText)
        } catch {
            throw EngineError(.invalidConfiguration, "\(file): \"schedule\": \(error.message)")
        }
        var configuration = TaskConfiguration(
            taskName: scope == .task ? try root.required("taskName") : try root.string("taskName") ?? "browse",
            enabled: try root.bool("enabled") ?? true,
            table: scope == .task ? try root.required("table") : try root.string("table") ?? source.tableName ?? "browse",
            source: source, schema: schema, segments: segments, push: push, pipeline: pipeline,
            stateDir: Self.resolveState(try root.string("stateDir") ?? "state", against: base), schedule: schedule,
            continueOnFileError: try root.bool("continueOnFileError") ?? false, baseDirectory: base)
        configuration.continueOnRowError = try root.bool("continueOnRowError") ?? false
        configuration.tableIsDefault = scope == .connection && root.values["table"] == nil
        configuration.push.outputDir = Self.resolve(push.outputDir, against: base)
        if let location = source.location { configuration.source.location = Self.resolveLocation(location, against: base) }
        if let deepStore = push.deepStoreUri { configuration.push.deepStoreUri = Self.resolveLocation(deepStore, against: base) }
        if let mapping = source.locationMapping {
            configuration.source.locationMapping = (Self.resolveLocation(mapping.from, against: base), Self.resolveLocation(mapping.to, against: base))
        }
        try root.finish()
        try configuration.validate(file: file, scope: scope)
        return configuration
    }

    /// `schema.maxLength`: a number (every string column) or an object of column names (and `*`)
    /// to numbers, each a positive Java int as Pinot reads it.
    private static func maxLength(_ value: Any, file: String) throws(EngineError) -> [String: Int] {
        func length(_ value: Any, _ key: String) throws(EngineError) -> Int {
            guard let number = value as? NSNumber, !ConfigReader.isBoolean(number),
                  let integer = Int(exactly: number.doubleValue), Double(integer) == number.doubleValue,
                  (1...Int(Int32.max)).contains(integer) else {
                throw EngineError(.invalidConfiguration, "\(file): \"\(key)\" must be a whole number from 1 to 2147483647 (Pinot reads maxLength as a Java int)")
            }
            return integer
        }
        if value is NSNumber { return ["*": try length(value, "schema.maxLength")] }
        guard let object = value as? [String: Any] else {
            throw EngineError(.invalidConfiguration, "\(file): \"schema.maxLength\" must be a number or an object of column names to numbers (\"*\" for every other string column)")
        }
        var limits: [String: Int] = [:]
        for (name, limit) in object where !(limit is NSNull) { limits[name] = try length(limit, "schema.maxLength.\(name)") }
        return limits
    }

    private static func credentials(_ reader: inout ConfigReader, _ key: String) throws(EngineError) -> Credentials? {
        guard var block = try reader.object(key) else { return nil }
        let credentials = Credentials(
            accessKey: try block.string("accessKey"), secretKey: try block.string("secretKey"), sessionToken: try block.string("sessionToken"),
            region: try block.string("region"), endpoint: try block.string("endpoint"), pathStyle: try block.bool("pathStyle"),
            roleArn: try block.string("roleArn"), externalId: try block.string("externalId"))
        try block.finish()
        // Half a key pair would fall back to the environment's pair without a word: refuse it.
        let given = { (text: String?) in !(text ?? "").isEmpty }
        let keys = (given(credentials.accessKey), given(credentials.secretKey?.reveal()))
        if keys.0 != keys.1 || (given(credentials.sessionToken?.reveal()) && !keys.0) {
            let missing = !keys.0 ? "accessKey" : "secretKey"
            throw EngineError(.invalidConfiguration, "\(block.file): \"\(block.path).\(missing)\" is missing: give accessKey and secretKey "
                + "(and sessionToken for temporary credentials) together, or none of them to use AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN")
        }
        return credentials
    }

    func validate(file: String, scope: Scope = .task) throws(EngineError) {
        func fail(_ message: String) -> EngineError { EngineError(.invalidConfiguration, "\(file): \(message)") }
        guard scope == .connection || Self.isValidTableName(table) else {
            throw fail("\"table\" is \"\(table)\"; a Pinot table name is not empty and holds no whitespace, control characters or any of \\ / : * ? \" < > |")
        }
        switch source.type {
        case .icebergRest:
            guard let service = source.restService else { throw fail("\"source.restService\" is required for iceberg-rest (glue, s3tables or rest)") }
            if service == .rest && source.uri == nil { throw fail("\"source.uri\" is required for a rest catalog") }
            if service != .rest && source.warehouse == nil { throw fail("\"source.warehouse\" is required for a \(service.rawValue) catalog") }
            if scope == .task {
                guard let namespace = source.namespace, !namespace.isEmpty else { throw fail("\"source.namespace\" is required for iceberg-rest") }
                guard let name = source.tableName, !name.isEmpty else { throw fail("\"source.tableName\" is required for iceberg-rest") }
            }
            if service == .glue, let warehouse = source.warehouse, !(warehouse.count == 12 && warehouse.allSatisfy(\.isASCII) && warehouse.allSatisfy(\.isNumber)) {
                throw fail("\"source.warehouse\" is \"\(warehouse)\"; for Glue it is the AWS account id, 12 digits (as in 123456789012)")
            }
        case .icebergTable, .s3DataLake:
            guard let location = source.location else { throw fail("\"source.location\" is required for \(source.type.rawValue)") }
            guard Self.isReadableLocation(location) else {
                throw fail("\"source.location\" is \"\(ObjectStoreURI.redacted(location))\"; locations are read from s3://bucket/prefix/ or file:///folder/")
            }
        }
        if let deepStore = push.deepStoreUri, !Self.isReadableLocation(deepStore) {
            throw fail("\"push.deepStoreUri\" is \"\(ObjectStoreURI.redacted(deepStore))\"; deep store is written to s3://bucket/prefix/ or file:///folder/")
        }
        if schedule.next(after: Date()) == nil {
            throw fail("\"schedule\" \"\(schedule)\" names no minute in the next five years (a day that month never has?)")
        }
        guard segments.maxRowsPerSegment > 0, segments.maxRowsPerSegment < Int(Int32.max) else {
            throw fail("\"segments.maxRowsPerSegment\" must be between 1 and 2147483646, not \(segments.maxRowsPerSegment)")
        }
        guard segments.maxBytesPerSegment >= 1 << 20 else { throw fail("\"segments.maxBytesPerSegment\" must be at least 1048576 (1 MiB)") }
        guard push.timeoutSeconds >= 1, push.minUploadBytesPerSecond >= 1024, (1...20).contains(push.attempts) else {
            throw fail("\"push.timeoutSeconds\" must be at least 1, \"push.minUploadBytesPerSecond\" at least 1024, \"push.attempts\" 1 to 20")
        }
        if let uri = push.controllerUri, !(uri.hasPrefix("http://") || uri.hasPrefix("https://")) {
            throw fail("\"push.controllerUri\" must be an http:// or https:// URL")
        }
        switch push.mode {
        case .local: break
        case .tar:
            guard push.controllerUri != nil else { throw fail("\"push.controllerUri\" is required for push mode tar") }
        case .metadata:
            guard push.controllerUri != nil else { throw fail("\"push.controllerUri\" is required for push mode metadata") }
            guard push.deepStoreUri != nil else { throw fail("\"push.deepStoreUri\" is required for push mode metadata") }
        }
        for (key, value) in [("fetchConcurrency", pipeline.fetchConcurrency), ("decodeConcurrency", pipeline.decodeConcurrency),
                             ("buildConcurrency", pipeline.buildConcurrency), ("sealedSegmentsInFlight", pipeline.sealedSegmentsInFlight)]
        where value < 1 || value > 1024 {
            throw fail("\"pipeline.\(key)\" must be between 1 and 1024, not \(value)")
        }
        guard pipeline.decodedBytesInFlight >= 1 << 20 else { throw fail("\"pipeline.decodedBytesInFlight\" must be at least 1048576 (1 MiB)") }
    }

    /// The schemes the object stores read: `s3://` and `file://`.
    static func isReadableLocation(_ location: String) -> Bool {
        ["s3://", "s3a://", "s3n://", "file:"].contains { location.hasPrefix($0) }
    }

    /// Pinot table names: not empty, no whitespace or control characters, none of `\ / : * ? " < > |`.
    public static func isValidTableName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255 && !name.hasPrefix(".")
            && !name.unicodeScalars.contains { "\\/:*?\"<>|".unicodeScalars.contains($0) || $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
    }

    /// `path` made absolute against `base`, with `.` and `..` resolved.
    static func resolve(_ path: String, against base: String) -> String {
        let absolute = path.hasPrefix("/") ? path : base + "/" + path
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    /// `stateDir`: an `s3://` prefix as given, a folder (or `file://` folder) made absolute.
    static func resolveState(_ location: String, against base: String) -> String {
        if location.hasPrefix("s3://") { return location.hasSuffix("/") ? location : location + "/" }
        if location.hasPrefix("file://") { return resolve(String(location.dropFirst("file://".count)), against: base) }
        return resolve(location, against: base)
    }

    /// A `file://` location made absolute (`file://data/x`, `file://./x` and `file://../x` are
    /// relative to the configuration's folder); other schemes unchanged.
    static func resolveLocation(_ location: String, against base: String) -> String {
        guard location.hasPrefix("file://") else { return location }
        let path = String(location.dropFirst("file://".count))
        var resolved = "file://" + resolve(path.isEmpty ? "." : path, against: base)
        if location.hasSuffix("/") && !resolved.hasSuffix("/") { resolved += "/" }
        return resolved
    }

    /// The configuration with a namespace and table chosen on the command line: a catalog's
    /// namespace and table name, or an S3 data lake's prefix under its location (`namespace`).
    public func choosing(namespace: String?, table: String?) -> TaskConfiguration {
        var chosen = self
        switch source.type {
        case .icebergRest:
            if let namespace { chosen.source.namespace = namespace }
            if let table {
                chosen.source.tableName = table
                if tableIsDefault { chosen.table = table }
            }
        case .s3DataLake:
            if let namespace, let location = source.location {
                let prefix = namespace.drop { $0 == "/" }
                chosen.source.location = (location.hasSuffix("/") ? location : location + "/") + prefix + (prefix.hasSuffix("/") || prefix.isEmpty ? "" : "/")
            }
        case .icebergTable:
            break
        }
        return chosen
    }

    /// The namespace as levels (`a.b` → [a, b]).
    public var namespaceLevels: [String] { (source.namespace ?? "").split(separator: ".").map(String.init) }

    /// The Pinot schema name: `schema.name`, else the table.
    public var schemaName: String { schema.name ?? table }
}
