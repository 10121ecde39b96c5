/// The shape every target's error shares (STYLE.md, "Errors"): a code, a one-line message, the
/// place it applies (`ErrorContext`), an optional cause, whether trying again may succeed, and
/// the failure category the task status reports.
///
/// Each target keeps its own error type with its own `Code` (a struct over a private enum, so
/// codes can be added); this protocol is what code above the targets reads without knowing
/// which target threw.
public protocol LakeIngestError: Error, Sendable, CustomStringConvertible {
    /// The code's name (`corruptPage`, `noSuchKey`, …), as the description prints it.
    var codeName: String { get }
    /// One line saying what went wrong, without the place.
    var message: String { get }
    /// Where the error applies.
    var context: ErrorContext { get }
    /// The lower-level error this one was converted from, if it was kept.
    var cause: (any Error & Sendable)? { get }
    /// Whether trying the same operation again may succeed (throttling, 5xx, lost connections,
    /// timeouts). The stage that sees the error decides whether to retry.
    var isRetryable: Bool { get }
    /// The kind of failure in a user's terms, as the task status reports it.
    var category: FailureCategory { get }
    /// The message the task status shows beside the context's fields: `message` by default;
    /// errors whose place does not fit those fields (a bucket, an HTTP status) show their whole
    /// description.
    var statusMessage: String { get }
}

extension LakeIngestError {
    public var statusMessage: String { message }

    /// The error and every cause under it, one per line, like
    ///
    ///     corruptFile: cannot decode row group 2: … (file data.parquet, row group 2)
    ///       caused by: corruptPage: … (file data.parquet, row group 2, column a.b, offset 4)
    ///         caused by: snappy corruptData: …
    ///
    /// Each of the parts' errors prints as `code: message (place)`; any other cause as its own
    /// description.
    public var detailedDescription: String {
        var lines = ["\(codeName): \(message)" + context.suffix()]
        var next = cause
        var depth = 1
        while let error = next, depth <= 32 {
            let indent = String(repeating: "  ", count: depth)
            if let error = error as? any LakeIngestError {
                lines.append(indent + "caused by: \(error.codeName): \(error.message)" + error.context.suffix())
                next = error.cause
            } else {
                lines.append(indent + "caused by: \(error)")
                next = nil
            }
            depth += 1
        }
        return lines.joined(separator: "\n")
    }
}
