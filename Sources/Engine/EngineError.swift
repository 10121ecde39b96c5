import Failures

/// The one error type of the `Engine` target: task configuration and orchestration failures.
/// Errors of the parts (Parquet, ObjectStore, Iceberg, Pinot) are carried as the cause.
public struct EngineError: LakeIngestError {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidConfiguration, credentials, notFound, schemaMismatch, unsupported, corruptFile, pushRejected
            case taskLocked, interrupted, io, nonAppendSnapshot, stateCorrupt, invalidValue
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
        /// A value Pinot cannot hold (a time value outside 1971–2071, a null time value).
        public static let invalidValue = Code(.invalidValue)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    /// The data file (or object) the error is about.
    public var file: String?
    public var rowGroup: Int?
    /// The row, counted from the file's first row.
    public var row: Int?
    public var column: String?
    public var offset: Int?
    public var underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, file: String? = nil, rowGroup: Int? = nil, row: Int? = nil, column: String? = nil,
                offset: Int? = nil, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.rowGroup = rowGroup
        self.row = row
        self.column = column
        self.offset = offset
        self.underlying = underlying
    }

    public var description: String { "\(code): \(message)" + context.suffix() }
}

extension EngineError {
    public var codeName: String { code.description }
    public var context: ErrorContext { ErrorContext(file: file, rowGroup: rowGroup, row: row, column: column, offset: offset) }
    public var cause: (any Error & Sendable)? { underlying }
    /// Whether the cause may pass on another try; the engine's own codes never do.
    public var isRetryable: Bool { (underlying as? any LakeIngestError)?.isRetryable ?? false }
    /// The code's kind; a `corruptFile` error with a cause is the cause's kind, because
    /// `corruptFile` is what `FailureReport.engineError` converts to when the engine has no code
    /// of its own for the cause's category (storage, pushRejected, configuration, …).
    public var category: FailureCategory {
        switch code {
        case .invalidConfiguration: return .configuration
        case .credentials: return .credentials
        case .notFound: return .notFound
        case .schemaMismatch: return .schemaMismatch
        case .unsupported: return .unsupportedFeature
        case .corruptFile: return underlying.map { FailureCategory.of($0) } ?? .corruptFile
        case .pushRejected: return .pushRejected
        case .taskLocked: return .taskLocked
        case .interrupted: return .interrupted
        case .nonAppendSnapshot: return .nonAppendSnapshot
        case .stateCorrupt: return .state
        case .invalidValue: return .invalidValue
        default: return .io
        }
    }
}

extension EngineError.Code {
    /// The code an error of `category` converts to: the engine's own code where it has one for
    /// the category, else `corruptFile`, which keeps the cause's category (`EngineError.category`).
    init(converting category: FailureCategory) {
        switch category {
        case .credentials: self = .credentials
        case .notFound: self = .notFound
        case .unsupportedFeature: self = .unsupported
        case .schemaMismatch: self = .schemaMismatch
        case .invalidValue: self = .invalidValue
        case .io: self = .io
        default: self = .corruptFile
        }
    }
}

extension EngineError {
    /// The error of a data file that ends the run, saying how to go on without the file.
    func suggestingSkip() -> EngineError {
        var error = self
        error.message += " (with \"continueOnFileError\": true the run skips an unreadable file and lists it in the status)"
        return error
    }
}
