import Foundation

/// Progress of a running task, as the library reports it (``IngestionTask/events()``) and the
/// CLI prints it (one updating line, or JSON lines with `--json`).
public enum TaskEvent: Sendable {
    case runStarted(task: String)
    case filesDiscovered(step: String, snapshotId: Int64?, files: Int, segmentGroups: Int)
    case rowGroupDecoded(file: String, rowGroup: Int, rows: Int, bytes: Int)
    case fileIngested(file: String, rows: Int)
    case fileSkipped(file: String, error: ErrorReport)
    case segmentSealed(name: String, rows: Int, bytes: Int)
    case segmentPushed(name: String, rows: Int, bytes: Int, seconds: Double)
    case snapshotCheckpointed(step: String, snapshotId: Int64?)
    /// The last event of every run, also of a run that did nothing because the task is paused
    /// (`paused`, with the status of the latest run that did something) or that another
    /// worker holds (FAILED `taskLocked`; the status file is left alone).
    case runFinished(TaskStatus, paused: Bool)
}

extension TaskEvent {
    private static func number(_ value: Int64?) -> Any { value.map { NSNumber(value: $0) } ?? NSNull() }

    /// The event as one line of JSON (`{"event": "segmentPushed", ...}`), for `run --json`.
    public var jsonLine: String {
        var fields: [String: Any] = [:]
        let name: String
        switch self {
        case .runStarted(let task):
            name = "runStarted"
            fields["task"] = task
        case .filesDiscovered(let step, let snapshotId, let files, let groups):
            name = "filesDiscovered"
            fields = ["step": step, "snapshotId": Self.number(snapshotId), "files": files, "segmentGroups": groups]
        case .rowGroupDecoded(let file, let rowGroup, let rows, let bytes):
            name = "rowGroupDecoded"
            fields = ["file": file, "rowGroup": rowGroup, "rows": rows, "bytes": bytes]
        case .fileIngested(let file, let rows):
            name = "fileIngested"
            fields = ["file": file, "rows": rows]
        case .fileSkipped(let file, let error):
            name = "fileSkipped"
            fields = ["file": file, "category": error.category, "error": error.message]
        case .segmentSealed(let segment, let rows, let bytes):
            name = "segmentSealed"
            fields = ["segment": segment, "rows": rows, "bytes": bytes]
        case .segmentPushed(let segment, let rows, let bytes, let seconds):
            name = "segmentPushed"
            fields = ["segment": segment, "rows": rows, "bytes": bytes, "seconds": seconds]
        case .snapshotCheckpointed(let step, let snapshotId):
            name = "snapshotCheckpointed"
            fields = ["step": step, "snapshotId": Self.number(snapshotId)]
        case .runFinished(let status, let paused):
            name = "runFinished"
            fields = ["state": paused ? "PAUSED" : status.state.rawValue, "segmentsPushed": status.segmentsPushed,
                      "rowsIngested": status.rowsIngested, "lastIngestedSnapshotId": Self.number(status.lastIngestedSnapshotId)]
            if let error = status.error {
                var report: [String: Any] = ["category": error.category, "message": error.message]
                report["file"] = error.file
                report["rowGroup"] = error.rowGroup
                report["row"] = error.row
                report["column"] = error.column
                report["offset"] = error.offset
                report["segment"] = error.segment
                fields["error"] = report
            }
        }
        fields["event"] = name
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{\"event\":\"\(name)\"}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
