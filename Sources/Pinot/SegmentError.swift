/// The one error type of the `Pinot` target (schema model now; segment building and pushing later).
public struct SegmentError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable { case invalidSchema, invalidValue, io, corrupt, unsupported, checksumMismatch }
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

    public init(_ code: Code, _ message: String, column: String? = nil, segment: String? = nil) {
        self.code = code
        self.message = message
        self.column = column
        self.segment = segment
    }

    public var description: String {
        var place: [String] = []
        if let segment { place.append("segment \(segment)") }
        if let column { place.append("column \(column)") }
        return "\(code): \(message)" + (place.isEmpty ? "" : " (" + place.joined(separator: ", ") + ")")
    }
}
