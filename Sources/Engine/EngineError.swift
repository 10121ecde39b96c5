/// The one error type of the `Engine` target: task configuration and orchestration failures.
/// Errors of the parts (Parquet, ObjectStore, Iceberg, Pinot) are carried as the cause.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidConfiguration, credentials, notFound, schemaMismatch, unsupported, corruptFile, pushRejected
            case taskLocked, interrupted, io, nonAppendSnapshot, stateCorrupt
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The task configuration is missing a field or has a wrong value.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// No credentials were given or found, or the store refused them.
        public static let credentials = Code(.credentials)
        /// A table, snapshot or data file does not exist.
        public static let notFound = Code(.notFound)
        /// A data file's columns do not fit the table's schema.
        public static let schemaMismatch = Code(.schemaMismatch)
        /// A feature the engine does not ingest (a data file format, delete files).
        public static let unsupported = Code(.unsupported)
        /// A data file or object that cannot be decoded.
        public static let corruptFile = Code(.corruptFile)
        /// The push target refused a segment.
        public static let pushRejected = Code(.pushRejected)
        /// Another worker holds the task's lock.
        public static let taskLocked = Code(.taskLocked)
        /// The run was stopped (SIGTERM, SIGINT) before it completed.
        public static let interrupted = Code(.interrupted)
        /// A local file could not be read or written.
        public static let io = Code(.io)
        /// An overwrite or delete snapshot, which an append push cannot apply.
        public static let nonAppendSnapshot = Code(.nonAppendSnapshot)
        /// The state folder holds a checkpoint this engine cannot read.
        public static let stateCorrupt = Code(.stateCorrupt)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    /// The data file (or object) the error is about.
    public var file: String?
    public var rowGroup: Int?
    public var column: String?
    public var offset: Int?
    public var underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, file: String? = nil, rowGroup: Int? = nil, column: String? = nil, offset: Int? = nil,
                underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.rowGroup = rowGroup
        self.column = column
        self.offset = offset
        self.underlying = underlying
    }

    public var description: String {
        var place: [String] = []
        if let file { place.append("file \(file)") }
        if let rowGroup { place.append("row group \(rowGroup)") }
        if let column { place.append("column \(column)") }
        if let offset { place.append("offset \(offset)") }
        return "\(code): \(message)" + (place.isEmpty ? "" : " (" + place.joined(separator: ", ") + ")")
    }
}
