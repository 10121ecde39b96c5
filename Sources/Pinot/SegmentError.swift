import Failures

/// The one error type of the `Pinot` target: schemas, segment building and reading. (The
/// controller client's errors are `ControllerError`, in `PinotController`.)
public struct SegmentError: LakeIngestError {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidSchema, invalidValue, io, corrupt, unsupported, checksumMismatch
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

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var column: String?
    /// The segment (directory or tarball) the error is about.
    public var segment: String?
    /// The codec's error, for chunks and tarballs that do not (de)compress.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, column: String? = nil, segment: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.column = column
        self.segment = segment
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" + context.suffix() }
}

extension SegmentError {
    public var codeName: String { code.description }
    public var context: ErrorContext { ErrorContext(column: column, segment: segment) }
    public var isRetryable: Bool { false }
    /// `schemaMismatch` for a schema Pinot cannot take, `invalidValue` for a value a column
    /// cannot hold, else `io`.
    public var category: FailureCategory {
        switch code {
        case .invalidSchema: .schemaMismatch
        case .invalidValue: .invalidValue
        default: .io
        }
    }
}
