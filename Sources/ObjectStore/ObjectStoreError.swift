import Failures

/// The one error type of the `ObjectStore` target: what failed, on which bucket and key, with
/// the service's own error code and request id where it gave them. It never carries a secret.
public struct ObjectStoreError: LakeIngestError {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case wrongRegion, accessDenied, invalidAccessKey, signatureMismatch, expiredToken, noSuchBucket, noSuchKey
            case invalidRange, throttled, serverError, transport, timeout, truncatedBody, invalidResponse
            case invalidArgument, io, preconditionFailed, conflict
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The bucket is in another region than the one signed for (PermanentRedirect,
        /// AuthorizationHeaderMalformed).
        public static let wrongRegion = Code(.wrongRegion)
        /// 403 AccessDenied: the credentials lack a permission (s3:GetObject, s3:ListBucket, …).
        public static let accessDenied = Code(.accessDenied)
        /// 403 InvalidAccessKeyId: the access key does not exist.
        public static let invalidAccessKey = Code(.invalidAccessKey)
        /// 403 SignatureDoesNotMatch: usually a wrong secret key.
        public static let signatureMismatch = Code(.signatureMismatch)
        /// 400/403 ExpiredToken or InvalidToken: the session token is no longer valid.
        public static let expiredToken = Code(.expiredToken)
        public static let noSuchBucket = Code(.noSuchBucket)
        public static let noSuchKey = Code(.noSuchKey)
        /// 416: the range starts past the end of the object.
        public static let invalidRange = Code(.invalidRange)
        /// 503 SlowDown and other throttling.
        public static let throttled = Code(.throttled)
        /// 500, 502, 504 and other 5xx answers.
        public static let serverError = Code(.serverError)
        /// The connection failed or was reset.
        public static let transport = Code(.transport)
        /// No answer within the configured connect or read timeout.
        public static let timeout = Code(.timeout)
        /// The body ended before the length the server announced.
        public static let truncatedBody = Code(.truncatedBody)
        /// 412 PreconditionFailed: a conditional write lost (`If-None-Match: *` on a key that
        /// exists, `If-Match` on an ETag that changed). Another writer got there first.
        public static let preconditionFailed = Code(.preconditionFailed)
        /// 409 ConditionalRequestConflict: a conditional write ran into a concurrent one; read
        /// the object again and retry.
        public static let conflict = Code(.conflict)
        /// An answer that cannot be understood (bad XML, missing headers, unexpected status).
        public static let invalidResponse = Code(.invalidResponse)
        /// The caller asked for something impossible (a bad location, a negative range).
        public static let invalidArgument = Code(.invalidArgument)
        /// A local file operation failed.
        public static let io = Code(.io)

        public var description: String { base.rawValue }

        /// Whether trying again may succeed (decided by the caller's retry policy).
        public var isRetryable: Bool {
            [.throttled, .serverError, .transport, .timeout, .truncatedBody].contains(self)
        }
    }

    public var code: Code
    public var message: String
    public var bucket: String?
    public var key: String?
    /// The HTTP status, where there was a response.
    public var status: Int?
    /// The service's error code (`NoSuchKey`, `SlowDown`, …).
    public var serviceCode: String?
    public var requestId: String?
    /// How many attempts were made before giving up.
    public var attempts: Int?
    /// How long the attempts took, first to last.
    public var elapsed: Duration?
    /// The server tried, without userinfo, for errors that are not about a bucket (a catalog).
    public var endpoint: String?

    public init(
        _ code: Code, _ message: String, bucket: String? = nil, key: String? = nil, status: Int? = nil,
        serviceCode: String? = nil, requestId: String? = nil
    ) {
        self.code = code
        self.message = message
        self.bucket = bucket
        self.key = key
        self.status = status
        self.serviceCode = serviceCode
        self.requestId = requestId
    }

    public var description: String {
        var parts: [String] = []
        if let bucket, bucket.hasPrefix("/") {
            // A local store: its root and the key are one path.
            parts.append("file " + (bucket.hasSuffix("/") ? bucket : bucket + "/") + (key ?? ""))
        } else {
            if let bucket { parts.append("bucket \(bucket)") }
            if let key { parts.append("key \(key)") }
        }
        parts += context.parts
        if let status { parts.append("HTTP \(status)") }
        if let serviceCode { parts.append(serviceCode) }
        if let requestId { parts.append("request id \(requestId)") }
        if let attempts, attempts > 1 {
            let tenths = elapsed.map { Int($0.components.seconds) * 10 + Int($0.components.attoseconds / 100_000_000_000_000_000) }
            parts.append("after \(attempts) attempts" + (tenths.map { " over \($0 / 10).\($0 % 10) s" } ?? ""))
        }
        return "\(code): \(message)" + (parts.isEmpty ? "" : " " + ErrorContext.parenthesized(parts))
    }
}

extension ObjectStoreError {
    public var codeName: String { code.description }
    /// The endpoint only. The bucket and key are the store's own names, printed in the
    /// description; the caller, which knows the object as a URI, names the file.
    public var context: ErrorContext { ErrorContext(endpoint: endpoint) }
    /// None is kept: transport errors can echo request headers (the signature, a session token),
    /// so only their kind is put in the message.
    public var cause: (any Error & Sendable)? { nil }
    /// As `RetryPolicy` decides: throttling, 5xx, lost connections, timeouts and cut bodies.
    public var isRetryable: Bool { code.isRetryable }
    /// `credentials` for refused keys, signatures and tokens, `notFound` for a missing bucket
    /// or key, else `storage`.
    public var category: FailureCategory {
        switch code {
        case .accessDenied, .invalidAccessKey, .signatureMismatch, .expiredToken: .credentials
        case .noSuchKey, .noSuchBucket: .notFound
        default: .storage
        }
    }
    /// The whole description: the bucket, key, HTTP status and request id have no field of
    /// their own in the status.
    public var statusMessage: String { description }
}
