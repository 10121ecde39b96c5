import Foundation

/// `stateDir/status.json`, exactly as DESIGN.md's contract ("Task status"), plus the task name,
/// times, skipped files and notes. The counts describe the run that wrote the file.
public struct TaskStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case running = "RUNNING", completed = "COMPLETED", failed = "FAILED" }

    /// One step of the run: a snapshot (or an S3 data lake listing).
    public struct SnapshotCount: Codable, Sendable, Equatable {
        public var snapshotId: Int64?
        /// The step's id (`snapshot-<id>` or `lake-<hash>`).
        public var step: String
        /// `ingest`, `noOp` (a balanced replace) or `skipped` (an overwrite or delete, as configured).
        public var action: String
        public var files: Int
        public var segments: Int
        public var rows: Int
        /// The snapshot's operation (`append`, `overwrite`, `delete`, `replace`).
        public var operation: String?
        /// Data files the step removed, and the live segments it replaced in its swap.
        public var filesRemoved = 0
        public var segmentsReplaced = 0
        /// Rows of the step's files that row-level deletes removed as they were built, and the
        /// delete files (position, deletion vector, equality) that applied to them.
        public var rowsDeleted = 0
        public var deleteFiles = 0

        public init(snapshotId: Int64?, step: String, action: String, files: Int = 0, segments: Int = 0, rows: Int = 0,
                    operation: String? = nil, filesRemoved: Int = 0) {
            self.snapshotId = snapshotId
            self.step = step
            self.action = action
            self.files = files
            self.segments = segments
            self.rows = rows
            self.operation = operation
            self.filesRemoved = filesRemoved
        }

        private enum CodingKeys: String, CodingKey {
            case snapshotId, step, action, files, segments, rows, operation, filesRemoved, segmentsReplaced, rowsDeleted, deleteFiles
        }

        /// Reads status files written before the mirror's counts existed.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            snapshotId = try c.decodeIfPresent(Int64.self, forKey: .snapshotId)
            step = try c.decode(String.self, forKey: .step)
            action = try c.decode(String.self, forKey: .action)
            files = try c.decodeIfPresent(Int.self, forKey: .files) ?? 0
            segments = try c.decodeIfPresent(Int.self, forKey: .segments) ?? 0
            rows = try c.decodeIfPresent(Int.self, forKey: .rows) ?? 0
            operation = try c.decodeIfPresent(String.self, forKey: .operation)
            filesRemoved = try c.decodeIfPresent(Int.self, forKey: .filesRemoved) ?? 0
            segmentsReplaced = try c.decodeIfPresent(Int.self, forKey: .segmentsReplaced) ?? 0
            rowsDeleted = try c.decodeIfPresent(Int.self, forKey: .rowsDeleted) ?? 0
            deleteFiles = try c.decodeIfPresent(Int.self, forKey: .deleteFiles) ?? 0
        }
    }

    /// A file left out under `continueOnFileError`.
    public struct SkippedFile: Codable, Sendable, Equatable {
        public var file: String
        public var error: ErrorReport
    }

    /// A row left out under `continueOnRowError`: where it was and why.
    public struct DroppedRow: Codable, Sendable, Equatable {
        public var file: String
        public var rowGroup: Int
        /// Counted from the file's first row.
        public var row: Int
        public var column: String
        /// The value as stored, or nil for a null.
        public var value: String?
        public var reason: String

        public init(file: String, rowGroup: Int, row: Int, column: String, value: String?, reason: String) {
            self.file = file
            self.rowGroup = rowGroup
            self.row = row
            self.column = column
            self.value = value
            self.reason = reason
        }
    }

    /// How many of the dropped rows ``droppedRows`` shows.
    public static let droppedRowExamples = 10

    public var state: State
    public var lastIngestedSnapshotId: Int64?
    public var filesDiscovered = 0
    public var filesIngested = 0
    public var segmentsGenerated = 0
    public var segmentsPushed = 0
    public var rowsIngested = 0
    public var error: ErrorReport?
    public var snapshots: [SnapshotCount] = []
    public var taskName: String
    public var startedAt: String
    public var finishedAt: String?
    public var skippedFiles: [SkippedFile] = []
    public var notes: [String] = []
    /// Rows left out under `continueOnRowError`, and the first few of them.
    public var rowsDropped = 0
    public var droppedRows: [DroppedRow] = []
    /// Per string column, the values cut to the field's `maxLength`.
    public var valuesCut: [String: Int] = [:]

    public init(state: State, taskName: String, startedAt: String) {
        self.state = state
        self.taskName = taskName
        self.startedAt = startedAt
    }

    private enum CodingKeys: String, CodingKey {
        case state, lastIngestedSnapshotId, filesDiscovered, filesIngested, segmentsGenerated, segmentsPushed, rowsIngested, error, snapshots
        case taskName, startedAt, finishedAt, skippedFiles, notes, rowsDropped, droppedRows, valuesCut
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        state = try c.decode(State.self, forKey: .state)
        lastIngestedSnapshotId = try c.decodeIfPresent(Int64.self, forKey: .lastIngestedSnapshotId)
        filesDiscovered = try c.decodeIfPresent(Int.self, forKey: .filesDiscovered) ?? 0
        filesIngested = try c.decodeIfPresent(Int.self, forKey: .filesIngested) ?? 0
        segmentsGenerated = try c.decodeIfPresent(Int.self, forKey: .segmentsGenerated) ?? 0
        segmentsPushed = try c.decodeIfPresent(Int.self, forKey: .segmentsPushed) ?? 0
        rowsIngested = try c.decodeIfPresent(Int.self, forKey: .rowsIngested) ?? 0
        error = try c.decodeIfPresent(ErrorReport.self, forKey: .error)
        snapshots = try c.decodeIfPresent([SnapshotCount].self, forKey: .snapshots) ?? []
        taskName = try c.decode(String.self, forKey: .taskName)
        startedAt = try c.decode(String.self, forKey: .startedAt)
        finishedAt = try c.decodeIfPresent(String.self, forKey: .finishedAt)
        skippedFiles = try c.decodeIfPresent([SkippedFile].self, forKey: .skippedFiles) ?? []
        notes = try c.decodeIfPresent([String].self, forKey: .notes) ?? []
        rowsDropped = try c.decodeIfPresent(Int.self, forKey: .rowsDropped) ?? 0
        droppedRows = try c.decodeIfPresent([DroppedRow].self, forKey: .droppedRows) ?? []
        valuesCut = try c.decodeIfPresent([String: Int].self, forKey: .valuesCut) ?? [:]
    }

    /// Writes `lastIngestedSnapshotId` and `error` as `null` when absent, as the contract shows.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(lastIngestedSnapshotId, forKey: .lastIngestedSnapshotId)
        try c.encode(filesDiscovered, forKey: .filesDiscovered)
        try c.encode(filesIngested, forKey: .filesIngested)
        try c.encode(segmentsGenerated, forKey: .segmentsGenerated)
        try c.encode(segmentsPushed, forKey: .segmentsPushed)
        try c.encode(rowsIngested, forKey: .rowsIngested)
        try c.encode(error, forKey: .error)
        try c.encode(snapshots, forKey: .snapshots)
        try c.encode(taskName, forKey: .taskName)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(skippedFiles, forKey: .skippedFiles)
        try c.encode(notes, forKey: .notes)
        try c.encode(rowsDropped, forKey: .rowsDropped)
        try c.encode(droppedRows, forKey: .droppedRows)
        try c.encode(valuesCut, forKey: .valuesCut)
    }

    /// Pretty JSON with sorted keys.
    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}

/// ISO 8601 UTC timestamps for the state files.
enum Timestamps {
    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
