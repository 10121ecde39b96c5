import Failures

/// The one error type of the `Avro` target, naming the file and, where it applies, the block.
public struct AvroError: LakeIngestError {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case badMagic, syncMismatch, truncated, invalidSchema, corruptData, unsupportedCodec, schemaMismatch
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file does not start with `Obj\u{1}`.
        public static let badMagic = Code(.badMagic)
        /// A block is not followed by the file's sync marker.
        public static let syncMismatch = Code(.syncMismatch)
        /// The file ends inside the header or a block.
        public static let truncated = Code(.truncated)
        /// The schema JSON is not a valid Avro schema.
        public static let invalidSchema = Code(.invalidSchema)
        /// A value does not decode (bad varint, impossible length, union branch out of range, bad codec data).
        public static let corruptData = Code(.corruptData)
        public static let unsupportedCodec = Code(.unsupportedCodec)
        /// The writer's schema cannot be resolved against the reader's.
        public static let schemaMismatch = Code(.schemaMismatch)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var file: String?
    /// The block's index, counting from 0.
    public var block: Int?
    /// The codec's error, for blocks that do not decompress.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, file: String? = nil, block: Int? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.block = block
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" + context.suffix(adding: block.map { ["block \($0)"] } ?? []) }
}

extension AvroError {
    public var codeName: String { code.description }
    /// The file; the block is Avro's own place and stays in `block`.
    public var context: ErrorContext { ErrorContext(file: file) }
    public var isRetryable: Bool { false }
    /// `unsupportedFeature` for a codec, `schemaMismatch` for schemas that do not resolve, else
    /// `corruptFile`.
    public var category: FailureCategory {
        switch code {
        case .unsupportedCodec: .unsupportedFeature
        case .schemaMismatch: .schemaMismatch
        default: .corruptFile
        }
    }
}
