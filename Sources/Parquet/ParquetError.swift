import Failures

/// The one error type of the `Parquet` target. It carries the code, a one-line message and the
/// place in the file: the file name, and where known the row group, column path and byte offset.
public struct ParquetError: LakeIngestError {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case notParquet, truncated, corruptMetadata, corruptPage, checksumMismatch
            case unsupportedCodec, unsupportedEncoding, unsupportedFeature, invalidSchema
            case valueOutOfRange, columnNotFound, io
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file does not start or end with the `PAR1` magic.
        public static let notParquet = Code(.notParquet)
        /// The file ends before a structure it declares.
        public static let truncated = Code(.truncated)
        /// The Thrift footer or a page header cannot be decoded, or its values are impossible.
        public static let corruptMetadata = Code(.corruptMetadata)
        /// A page's data does not decode as its header says (sizes, levels, values, indices).
        public static let corruptPage = Code(.corruptPage)
        /// A page's CRC-32 does not match its bytes.
        public static let checksumMismatch = Code(.checksumMismatch)
        public static let unsupportedCodec = Code(.unsupportedCodec)
        public static let unsupportedEncoding = Code(.unsupportedEncoding)
        /// A feature the reader chose not to support (encryption, decimals over 38 digits, …).
        public static let unsupportedFeature = Code(.unsupportedFeature)
        /// The schema tree is malformed or breaks the format's rules.
        public static let invalidSchema = Code(.invalidSchema)
        /// A value that the type mapping cannot represent (a uint64 above the LONG range).
        public static let valueOutOfRange = Code(.valueOutOfRange)
        /// A requested column does not exist.
        public static let columnNotFound = Code(.columnNotFound)
        /// Reading the bytes failed.
        public static let io = Code(.io)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var file: String?
    public var rowGroup: Int?
    public var column: String?
    public var offset: Int?
    public var underlying: (any Error & Sendable)?

    public init(
        _ code: Code, _ message: String, file: String? = nil, rowGroup: Int? = nil,
        column: String? = nil, offset: Int? = nil, underlying: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.file = file
        self.rowGroup = rowGroup
        self.column = column
        self.offset = offset
        self.underlying = underlying
    }

    /// Adds context that an inner layer did not know; context already set is kept.
    func with(file: String? = nil, rowGroup: Int? = nil, column: String? = nil, offset: Int? = nil) -> ParquetError {
        var copy = self
        copy.file = self.file ?? file
        copy.rowGroup = self.rowGroup ?? rowGroup
        copy.column = self.column ?? column
        copy.offset = self.offset ?? offset
        return copy
    }

    public var description: String { "\(code): \(message)" + context.suffix() }
}

extension ParquetError {
    public var codeName: String { code.description }
    public var context: ErrorContext { ErrorContext(file: file, rowGroup: rowGroup, column: column, offset: offset) }
    public var cause: (any Error & Sendable)? { underlying }
    /// An `io` failure may pass when its cause may (a storage read); nothing else in a file
    /// changes by reading it again.
    public var isRetryable: Bool { code == .io && (underlying as? any LakeIngestError)?.isRetryable == true }
    /// `unsupportedFeature` for codecs, encodings and features the reader does not support,
    /// `io` for failed reads, else `corruptFile`.
    public var category: FailureCategory {
        if [.unsupportedCodec, .unsupportedEncoding, .unsupportedFeature].contains(code) { return .unsupportedFeature }
        return code == .io ? .io : .corruptFile
    }
}
