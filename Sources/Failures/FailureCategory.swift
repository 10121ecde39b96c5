/// The kind of a failure in a user's terms: what the task status reports as an error's
/// `category` (DESIGN.md, "Task status"). The raw values are the status file's strings, a
/// contract with the tools that read it.
public enum FailureCategory: String, Sendable, Hashable, CaseIterable, Codable {
    /// No credentials were given or found, or the service refused them.
    case credentials
    /// A table, snapshot, object or data file does not exist.
    case notFound
    /// A file or object that cannot be decoded.
    case corruptFile
    /// A feature this engine does not read (a codec, an encoding, delete files).
    case unsupportedFeature
    /// A data file's columns do not fit the table's schema.
    case schemaMismatch
    /// A value the target type cannot hold.
    case invalidValue
    /// The push target refused a segment.
    case pushRejected
    /// An overwrite or delete snapshot, which an append push cannot apply.
    case nonAppendSnapshot
    /// The task configuration is missing a field or has a wrong value.
    case configuration
    /// Another worker holds the task's lock.
    case taskLocked
    /// The run was stopped before it completed.
    case interrupted
    /// The object store failed (throttling, 5xx, connections).
    case storage
    /// A local file could not be read or written.
    case io
    /// The state folder holds something this engine cannot read.
    case state
    /// Anything else: a failure no part classified.
    case `internal`

    /// The category of any error: its own for the parts' errors, `interrupted` for a
    /// cancellation, `internal` for anything else.
    public static func of(_ error: any Error) -> FailureCategory {
        if let error = error as? any LakeIngestError { return error.category }
        if error is CancellationError { return .interrupted }
        return .internal
    }
}
