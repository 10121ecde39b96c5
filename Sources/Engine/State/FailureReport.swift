import Failures
import ObjectStore

/// An error as the status file reports it (DESIGN.md, "Task status"): its kind in a user's terms,
/// the message, and where it applies the file, row group, column and byte offset.
public struct ErrorReport: Codable, Sendable, Equatable {
    /// `credentials`, `notFound`, `corruptFile`, `unsupportedFeature`, `schemaMismatch`,
    /// `invalidValue`, `pushRejected`, `nonAppendSnapshot`, `configuration`, `taskLocked`,
    /// `interrupted`, `storage`, `io`, `state` or `internal`.
    public var category: String
    public var message: String
    public var file: String?
    public var rowGroup: Int?
    /// The row, counted from the file's first row.
    public var row: Int?
    public var column: String?
    public var offset: Int?
    public var segment: String?

    public init(category: String, message: String, file: String? = nil, rowGroup: Int? = nil, row: Int? = nil, column: String? = nil,
                offset: Int? = nil, segment: String? = nil) {
        self.category = category
        self.message = message
        self.file = file
        self.rowGroup = rowGroup
        self.row = row
        self.column = column
        self.offset = offset
        self.segment = segment
    }

    /// The message with its place, for one line of output.
    public var text: String {
        "\(category): \(message)"
            + ErrorContext(file: file, rowGroup: rowGroup, row: row, column: column, offset: offset, segment: segment).suffix()
    }
}

/// Classifies errors of every part into a report's category and place.
enum FailureReport {
    /// The report of `error`: the category and status message the error gives
    /// (`LakeIngestError`), and each place field from the outermost error in the cause chain
    /// that names it. A cancellation is `interrupted`; an error of no part is `internal`.
    static func report(_ error: any Error) -> ErrorReport {
        guard let error = error as? any LakeIngestError else {
            if error is CancellationError {
                return ErrorReport(category: FailureCategory.interrupted.rawValue, message: "the run was stopped before it completed")
            }
            return ErrorReport(category: FailureCategory.of(error).rawValue, message: "\(error)")
        }
        var place = error.context
        var next = error.cause
        var storage = error as? ObjectStoreError
        while let cause = next as? any LakeIngestError {
            place = place.filled(from: cause.context)
            storage = storage ?? cause as? ObjectStoreError
            next = cause.cause
        }
        return ErrorReport(category: error.category.rawValue, message: error.statusMessage + advice(storage), file: place.file,
                           rowGroup: place.rowGroup, row: place.row, column: place.column, offset: place.offset, segment: place.segment)
    }

    /// What to fix when S3 refused the storage credentials, in the configuration's terms.
    static func advice(_ error: ObjectStoreError?) -> String {
        switch error?.code {
        case .signatureMismatch?: return " — check the secret key in source.storage (secretKey, or AWS_SECRET_ACCESS_KEY)"
        case .invalidAccessKey?: return " — check the access key in source.storage (accessKey, or AWS_ACCESS_KEY_ID)"
        case .expiredToken?: return " — the session token in source.storage has expired or is wrong: renew it, or use a role"
        default: return ""
        }
    }

    /// `error` as an `EngineError` about `file` (kept as the cause): the engine's code for the
    /// error's category, the message after `context`, and the place the error names.
    static func engineError(_ error: any Error, file: String?, context: String) -> EngineError {
        if var engine = error as? EngineError {
            engine.file = engine.file ?? file
            return engine
        }
        let report = report(error)
        return EngineError(EngineError.Code(converting: FailureCategory.of(error)), "\(context): \(report.message)",
                           file: report.file ?? file, rowGroup: report.rowGroup, row: report.row, column: report.column, offset: report.offset,
                           underlying: error)
    }
}
