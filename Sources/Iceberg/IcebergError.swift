import Failures

/// The one error type of the `Iceberg` target: metadata, manifests, planning and catalogs. It
/// names the object (metadata file, manifest, table) and, for catalog calls, the endpoint; never
/// a secret.
public struct IcebergError: LakeIngestError {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidMetadata, unsupportedVersion, unsupportedFeature, missingObject, corruptManifest
            case nonAppendSnapshot, deleteFilesPresent, replaceMismatch, snapshotNotFound
            case noSuchNamespace, noSuchTable, notAuthorized, forbidden, credentialsExpired
            case serverError, transport, invalidResponse, invalidConfiguration, invalidTimeColumn, storage
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Table metadata JSON that cannot be read or breaks the spec.
        public static let invalidMetadata = Code(.invalidMetadata)
        /// A format version this reader does not support (v3 and later).
        public static let unsupportedVersion = Code(.unsupportedVersion)
        public static let unsupportedFeature = Code(.unsupportedFeature)
        /// A metadata file, manifest list or manifest that the table references does not exist.
        public static let missingObject = Code(.missingObject)
        /// A manifest list or manifest that is not a valid Avro file of the expected shape.
        public static let corruptManifest = Code(.corruptManifest)
        /// An overwrite or delete snapshot: Pinot's append push cannot remove rows.
        public static let nonAppendSnapshot = Code(.nonAppendSnapshot)
        /// Delete files apply to data files being ingested.
        public static let deleteFilesPresent = Code(.deleteFilesPresent)
        /// A replace snapshot whose record counts do not balance.
        public static let replaceMismatch = Code(.replaceMismatch)
        public static let snapshotNotFound = Code(.snapshotNotFound)
        public static let noSuchNamespace = Code(.noSuchNamespace)
        public static let noSuchTable = Code(.noSuchTable)
        /// 401: the catalog did not accept the credentials.
        public static let notAuthorized = Code(.notAuthorized)
        /// 403: the credentials lack a permission.
        public static let forbidden = Code(.forbidden)
        /// 419: the credentials expired.
        public static let credentialsExpired = Code(.credentialsExpired)
        public static let serverError = Code(.serverError)
        public static let transport = Code(.transport)
        public static let invalidResponse = Code(.invalidResponse)
        /// The task configuration is inconsistent (a warehouse of the wrong form, a missing field).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The chosen time column cannot be a Pinot time column.
        public static let invalidTimeColumn = Code(.invalidTimeColumn)
        /// Reading from the object store failed (the underlying error says how).
        public static let storage = Code(.storage)

        public var description: String { base.rawValue }

        public var isRetryable: Bool { self == .serverError || self == .transport }
    }

    public var code: Code
    public var message: String
    /// The object or table the error is about.
    public var object: String?
    /// For catalog errors: the endpoint, region and signing name used.
    public var endpoint: String?
    public var status: Int?
    public var underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, object: String? = nil, endpoint: String? = nil, status: Int? = nil,
                underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.object = object
        self.endpoint = endpoint
        self.status = status
        self.underlying = underlying
    }

    public var description: String {
        var parts: [String] = []
        if let object { parts.append(object) }
        if let endpoint { parts.append(endpoint) }
        if let status { parts.append("HTTP \(status)") }
        if let underlying { parts.append("cause: \(underlying)") }
        return "\(code): \(message)" + (parts.isEmpty ? "" : " (" + parts.joined(separator: "; ") + ")")
    }
}

extension IcebergError {
    public var codeName: String { code.description }
    /// The object (or table) as the file, and the catalog endpoint. The description keeps its
    /// own form (`object; endpoint; HTTP 404; cause: …`).
    public var context: ErrorContext { ErrorContext(file: object, endpoint: endpoint) }
    public var cause: (any Error & Sendable)? { underlying }
    /// 5xx and transport failures, and storage failures whose cause may pass.
    public var isRetryable: Bool {
        if code == .storage, let underlying = underlying as? any LakeIngestError { return underlying.isRetryable }
        return code.isRetryable
    }
    /// A storage failure with a cause is that cause's kind (refused credentials, a missing
    /// object); other codes map to their kind.
    public var category: FailureCategory {
        if code == .storage, let underlying { return FailureCategory.of(underlying) }
        switch code {
        case .notAuthorized, .forbidden, .credentialsExpired: return .credentials
        case .missingObject, .noSuchTable, .noSuchNamespace, .snapshotNotFound: return .notFound
        case .nonAppendSnapshot: return .nonAppendSnapshot
        case .deleteFilesPresent, .unsupportedFeature, .unsupportedVersion: return .unsupportedFeature
        case .corruptManifest, .invalidMetadata, .invalidResponse: return .corruptFile
        case .invalidConfiguration, .invalidTimeColumn: return .configuration
        default: return .storage
        }
    }
    /// The whole description: the endpoint, HTTP status and cause have no field of their own in
    /// the status.
    public var statusMessage: String { description }
}
