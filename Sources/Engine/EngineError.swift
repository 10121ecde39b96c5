/// The one error type of the `Engine` target: task configuration and orchestration failures.
/// Errors of the parts (Parquet, ObjectStore, Iceberg, Pinot) are carried as the cause.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable { case invalidConfiguration, credentials, notFound, schemaMismatch, unsupported }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The task configuration is missing a field or has a wrong value.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// No credentials were given or found in the environment.
        public static let credentials = Code(.credentials)
        public static let notFound = Code(.notFound)
        public static let schemaMismatch = Code(.schemaMismatch)
        public static let unsupported = Code(.unsupported)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
