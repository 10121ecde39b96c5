/// The one error type of the `Pinot` target: schemas, segment building and reading, and the
/// controller client.
public struct SegmentError: Error, Sendable, CustomStringConvertible {
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

    public init(_ code: Code, _ message: String, column: String? = nil, segment: String? = nil, status: Int? = nil) {
        self.code = code
        self.message = message
        self.column = column
        self.segment = segment
        self.status = status
    }

    public var description: String {
        var place: [String] = []
        if let segment { place.append("segment \(segment)") }
        if let column { place.append("column \(column)") }
        if let status { place.append("HTTP \(status)") }
        return "\(code): \(message)" + (place.isEmpty ? "" : " (" + place.joined(separator: ", ") + ")")
    }
}
