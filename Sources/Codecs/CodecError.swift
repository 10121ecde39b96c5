import Failures

/// The one error type of the `Codecs` target: what went wrong while compressing or
/// decompressing a buffer. Callers add the file, column and page context when they convert it.
public struct CodecError: LakeIngestError {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case corruptData, sizeMismatch, sizeLimitExceeded, unsupportedCodec
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The compressed bytes are not a valid stream for the codec.
        public static let corruptData = Code(.corruptData)
        /// The data decompressed to a size other than the one declared.
        public static let sizeMismatch = Code(.sizeMismatch)
        /// The declared output size is above the configured limit (decompression-bomb guard).
        public static let sizeLimitExceeded = Code(.sizeLimitExceeded)
        /// The codec is not supported by this build.
        public static let unsupportedCodec = Code(.unsupportedCodec)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var codec: CompressionCodec
    public var message: String

    public init(_ code: Code, codec: CompressionCodec, _ message: String) {
        self.code = code
        self.codec = codec
        self.message = message
    }

    public var description: String { "\(codec) \(code): \(message)" }
}

extension CodecError {
    public var codeName: String { code.description }
    /// Empty: a codec sees only a buffer. The caller adds the file, column and page.
    public var context: ErrorContext { ErrorContext() }
    /// None: the C libraries' failures are in the message.
    public var cause: (any Error & Sendable)? { nil }
    public var isRetryable: Bool { false }
    /// `unsupportedFeature` for a codec this build lacks, else `corruptFile`.
    public var category: FailureCategory { code == .unsupportedCodec ? .unsupportedFeature : .corruptFile }
}
