import Iceberg
import ObjectStore
import Parquet
import Pinot

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
    public var column: String?
    public var offset: Int?
    public var segment: String?

    public init(category: String, message: String, file: String? = nil, rowGroup: Int? = nil, column: String? = nil,
                offset: Int? = nil, segment: String? = nil) {
        self.category = category
        self.message = message
        self.file = file
        self.rowGroup = rowGroup
        self.column = column
        self.offset = offset
        self.segment = segment
    }

    /// The message with its place, for one line of output.
    public var text: String {
        var place: [String] = []
        if let file { place.append("file \(file)") }
        if let rowGroup { place.append("row group \(rowGroup)") }
        if let column { place.append("column \(column)") }
        if let offset { place.append("offset \(offset)") }
        if let segment { place.append("segment \(segment)") }
        return "\(category): \(message)" + (place.isEmpty ? "" : " (" + place.joined(separator: ", ") + ")")
    }
}

/// Classifies errors of every part into a report's category and place.
public enum FailureReport {
    public static func report(_ error: any Error) -> ErrorReport {
        switch error {
        case let error as EngineError:
            var report = error.underlying.map(report) ?? ErrorReport(category: category(error.code), message: "")
            if error.underlying == nil || error.code != .corruptFile { report.category = category(error.code) }
            report.message = error.message
            report.file = error.file ?? report.file
            report.rowGroup = error.rowGroup ?? report.rowGroup
            report.column = error.column ?? report.column
            report.offset = error.offset ?? report.offset
            if let cause = error.underlying as? SegmentError { report.segment = cause.segment }
            return report
        case let error as ParquetError:
            let unsupported: [ParquetError.Code] = [.unsupportedCodec, .unsupportedEncoding, .unsupportedFeature]
            let category = unsupported.contains(error.code) ? "unsupportedFeature" : error.code == .io ? "io" : "corruptFile"
            return ErrorReport(category: category, message: error.message, file: error.file, rowGroup: error.rowGroup,
                               column: error.column, offset: error.offset)
        case let error as ObjectStoreError:
            return ErrorReport(category: category(error.code), message: error.description)
        case let error as IcebergError:
            if error.code == .storage, let cause = error.underlying {
                var report = report(cause)
                report.message = error.description
                report.file = report.file ?? error.object
                return report
            }
            return ErrorReport(category: category(error.code), message: error.description, file: error.object)
        case let error as SegmentError:
            let category = error.code == .invalidSchema ? "schemaMismatch" : error.code == .invalidValue ? "invalidValue" : "io"
            return ErrorReport(category: category, message: error.message, column: error.column, segment: error.segment)
        case is CancellationError:
            return ErrorReport(category: "interrupted", message: "the run was stopped before it completed")
        default:
            return ErrorReport(category: "internal", message: "\(error)")
        }
    }

    /// `error` as an `EngineError` about `file` (kept as the cause), with the category its
    /// kind implies.
    static func engineError(_ error: any Error, file: String?, context: String) -> EngineError {
        if var engine = error as? EngineError {
            engine.file = engine.file ?? file
            return engine
        }
        let report = report(error)
        let code: EngineError.Code
        switch report.category {
        case "credentials": code = .credentials
        case "notFound": code = .notFound
        case "unsupportedFeature": code = .unsupported
        case "schemaMismatch", "invalidValue": code = .schemaMismatch
        case "io": code = .io
        default: code = .corruptFile
        }
        return EngineError(code, "\(context): \(report.message)", file: report.file ?? file, rowGroup: report.rowGroup, column: report.column,
                           offset: report.offset, underlying: error)
    }

    static func category(_ code: EngineError.Code) -> String {
        switch code {
        case .invalidConfiguration: "configuration"
        case .credentials: "credentials"
        case .notFound: "notFound"
        case .schemaMismatch: "schemaMismatch"
        case .unsupported: "unsupportedFeature"
        case .corruptFile: "corruptFile"
        case .pushRejected: "pushRejected"
        case .taskLocked: "taskLocked"
        case .interrupted: "interrupted"
        case .nonAppendSnapshot: "nonAppendSnapshot"
        case .stateCorrupt: "state"
        default: "io"
        }
    }

    static func category(_ code: ObjectStoreError.Code) -> String {
        switch code {
        case .accessDenied, .invalidAccessKey, .signatureMismatch, .expiredToken: "credentials"
        case .noSuchKey, .noSuchBucket: "notFound"
        default: "storage"
        }
    }

    static func category(_ code: IcebergError.Code) -> String {
        switch code {
        case .notAuthorized, .forbidden, .credentialsExpired: "credentials"
        case .missingObject, .noSuchTable, .noSuchNamespace, .snapshotNotFound: "notFound"
        case .nonAppendSnapshot: "nonAppendSnapshot"
        case .deleteFilesPresent, .unsupportedFeature, .unsupportedVersion: "unsupportedFeature"
        case .corruptManifest, .invalidMetadata, .invalidResponse: "corruptFile"
        case .invalidConfiguration, .invalidTimeColumn: "configuration"
        default: "storage"
        }
    }
}
