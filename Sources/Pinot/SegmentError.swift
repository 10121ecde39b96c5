import Failures

/// The one error type of the `Pinot` target: schemas, segment building and reading, and the
/// controller client.
public struct SegmentError: LakeIngestError {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidSchema, invalidValue, io, corrupt, unsupported, checksumMismatch
            case controllerRejected, notAuthorized, controllerUnavailable, timeout, tableNotFound
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A Pinot schema JSON that cannot be read or breaks Pinot's rules.
        public static let invalidSchema = Code(.invalidSchema)
        public static let invalidValue = Code(.invalidValue)
        public static let io = Code(.io)
        /// A segment file whose bytes break the format (sizes, magic markers, offsets).
        public static let corrupt = Code(.corrupt)
        /// A segment feature this reader does not read.
        public static let unsupported = Code(.unsupported)
        /// `creation.meta`'s CRC does not match the segment's files.
        public static let checksumMismatch = Code(.checksumMismatch)
        /// The controller refused a request (4xx): its message is in the error.
        public static let controllerRejected = Code(.controllerRejected)
        /// The controller refused the `Authorization` value (401, 403).
        public static let notAuthorized = Code(.notAuthorized)
        /// 5xx answers or connection failures, after the retries.
        public static let controllerUnavailable = Code(.controllerUnavailable)
        /// No answer within the time budget.
        public static let timeout = Code(.timeout)
        /// The controller has no such table (or schema).
        public static let tableNotFound = Code(.tableNotFound)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var column: String?
    /// The segment (directory or tarball) the error is about.
    public var segment: String?
    /// The controller's HTTP status, for controller errors.
    public var status: Int?
    /// The codec's error, for chunks and tarballs that do not (de)compress.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, column: String? = nil, segment: String? = nil, status: Int? = nil,
                cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.column = column
        self.segment = segment
        self.status = status
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" + context.suffix(adding: status.map { ["HTTP \($0)"] } ?? []) }
}

extension SegmentError {
    public var codeName: String { code.description }
    public var context: ErrorContext { ErrorContext(column: column, segment: segment) }
    /// 5xx answers and connection failures, which the controller client itself tries again.
    public var isRetryable: Bool { code == .controllerUnavailable }
    /// `schemaMismatch` for a schema Pinot cannot take, `invalidValue` for a value a column
    /// cannot hold, else `io` (the engine maps controller errors to its own codes).
    public var category: FailureCategory {
        switch code {
        case .invalidSchema: .schemaMismatch
        case .invalidValue: .invalidValue
        default: .io
        }
    }
}
