import Failures

/// The one error type of the `PinotController` target: a request the controller refused or did
/// not answer. It names the segment and the controller's HTTP status where there was one, and
/// never the `Authorization` value.
public struct ControllerError: LakeIngestError {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case controllerRejected, notAuthorized, controllerUnavailable, timeout, tableNotFound, invalidConfiguration, io
            case connectionRefused
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

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
        /// The controller URI is not an `http://` or `https://` URL.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The tarball to upload could not be read.
        public static let io = Code(.io)
        /// Nothing listens at the controller's host and port (after the retries).
        public static let connectionRefused = Code(.connectionRefused)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    /// The segment the request was about.
    public var segment: String?
    /// The controller's HTTP status, where it answered.
    public var status: Int?

    public init(_ code: Code, _ message: String, segment: String? = nil, status: Int? = nil) {
        self.code = code
        self.message = message
        self.segment = segment
        self.status = status
    }

    public var description: String { "\(code): \(message)" + context.suffix(adding: status.map { ["HTTP \($0)"] } ?? []) }
}

extension ControllerError {
    public var codeName: String { code.description }
    /// The segment. The message names the controller's endpoint.
    public var context: ErrorContext { ErrorContext(segment: segment) }
    /// None is kept: HTTP client errors can echo request headers (the `Authorization` value),
    /// so only their kind is put in the message.
    public var cause: (any Error & Sendable)? { nil }
    /// 5xx answers and connection failures, which the client itself tries again; never 4xx,
    /// and never a timeout (a stalled controller would only stall again).
    public var isRetryable: Bool { code == .controllerUnavailable || code == .connectionRefused }
    /// `credentials` for a refused authorization, `notFound` for a missing table, `io` for an
    /// unreadable tarball or a refused connection, `configuration` for a bad URI, else
    /// `pushRejected`.
    public var category: FailureCategory {
        switch code {
        case .notAuthorized: .credentials
        case .tableNotFound: .notFound
        case .io, .connectionRefused: .io
        case .invalidConfiguration: .configuration
        default: .pushRejected
        }
    }
}
