/// The one error type of the `Pinot` target (schema model now; segment building and pushing later).
public struct SegmentError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; a struct over a private enum so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable { case invalidSchema, invalidValue, io }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A Pinot schema JSON that cannot be read or breaks Pinot's rules.
        public static let invalidSchema = Code(.invalidSchema)
        public static let invalidValue = Code(.invalidValue)
        public static let io = Code(.io)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var column: String?

    public init(_ code: Code, _ message: String, column: String? = nil) {
        self.code = code
        self.message = message
        self.column = column
    }

    public var description: String { "\(code): \(message)" + (column.map { " (column \($0))" } ?? "") }
}
