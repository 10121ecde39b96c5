/// Where an error applies: the file (or object key, or URI), the row group, the row, the
/// column, the byte offset, the Pinot segment and the endpoint. Every field is optional; an error names
/// the places it knows, and a caller that knows more adds them when it converts the error.
public struct ErrorContext: Sendable, Hashable, CustomStringConvertible {
    /// The file, object key or URI.
    public var file: String?
    public var rowGroup: Int?
    /// The row, counted from the file's first row.
    public var row: Int?
    /// The column (a dotted path for nested Parquet columns).
    public var column: String?
    /// The byte offset in the file.
    public var offset: Int?
    /// The Pinot segment (a name, directory or tarball).
    public var segment: String?
    /// The server that was asked (a URL without userinfo).
    public var endpoint: String?

    public init(file: String? = nil, rowGroup: Int? = nil, row: Int? = nil, column: String? = nil, offset: Int? = nil,
                segment: String? = nil, endpoint: String? = nil) {
        self.file = file
        self.rowGroup = rowGroup
        self.row = row
        self.column = column
        self.offset = offset
        self.segment = segment
        self.endpoint = endpoint
    }

    /// True when no place is known.
    public var isEmpty: Bool { parts.isEmpty }

    /// The places in order, each with its label: `file x`, `row group 2`, `row 7`, `column c`,
    /// `offset 9`, `segment s`, `endpoint e`.
    public var parts: [String] {
        var parts: [String] = []
        if let file { parts.append("file \(file)") }
        if let rowGroup { parts.append("row group \(rowGroup)") }
        if let row { parts.append("row \(row)") }
        if let column { parts.append("column \(column)") }
        if let offset { parts.append("offset \(offset)") }
        if let segment { parts.append("segment \(segment)") }
        if let endpoint { parts.append("endpoint \(endpoint)") }
        return parts
    }

    /// One line: `(file x, row group 2, row 7, column c, offset 9, segment s, endpoint e)`, or empty
    /// when no place is known.
    public var description: String { Self.parenthesized(parts) }

    /// What an error's description appends after its message: a space and the places, with
    /// `details` (an HTTP status, a block number) after them; empty when there are none.
    public func suffix(adding details: [String] = []) -> String {
        let all = parts + details
        return all.isEmpty ? "" : " " + Self.parenthesized(all)
    }

    /// Each field from `self` where it is set, else from `other`.
    public func filled(from other: ErrorContext) -> ErrorContext {
        ErrorContext(file: file ?? other.file, rowGroup: rowGroup ?? other.rowGroup, row: row ?? other.row, column: column ?? other.column,
                     offset: offset ?? other.offset, segment: segment ?? other.segment, endpoint: endpoint ?? other.endpoint)
    }

    /// `(a, b, c)`, or empty for no parts.
    public static func parenthesized(_ parts: [String]) -> String {
        parts.isEmpty ? "" : "(" + parts.joined(separator: ", ") + ")"
    }
}
