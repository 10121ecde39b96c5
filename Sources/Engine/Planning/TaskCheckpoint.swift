/// Where a task stands (`stateDir/checkpoint.json`): the last snapshot whose every segment is
/// pushed, and for the step in progress which of its groups are already pushed. It moves only
/// after the pushes it records have succeeded (see `CheckpointStore`).
public struct TaskCheckpoint: Codable, Sendable, Equatable {
    public var formatVersion = 1
    /// The Iceberg table's UUID: a checkpoint never applies to another table of the same name.
    public var tableUUID: String?
    /// The last ingested snapshot and its sequence number (Iceberg).
    public var snapshotId: Int64?
    public var sequenceNumber: Int64?
    /// S3 data lake: every ingested file's URI and ETag.
    public var ingestedFiles: [String: String]?
    public var inProgress: StepProgress?
    /// ISO 8601, when it was written.
    public var updatedAt: String?

    public init() {}
}

/// The step a run was in when it stopped.
public struct StepProgress: Codable, Sendable, Equatable {
    public var stepId: String
    public var kind: IngestionStep.Kind
    public var snapshotId: Int64?
    public var sequenceNumber: Int64?
    public var afterSequenceNumber: Int64?
    /// S3 data lake: the step's files as listed (the listing may change before the rerun).
    public var files: [LakeFile]?
    public var groupCount: Int
    /// Groups whose every segment is pushed, ascending.
    public var pushedGroups: [Int]
    /// Files the step removes, and the segments it replaces (a swap step).
    public var removedFiles: [String]?
    public var replaces: [String]?
    /// The swap under way: once set, the new segments may be on the target.
    public var swap: SwapRecord?

    /// A swap of segments started on the target: the controller's lineage entry (nil for a
    /// local push) and the ledger entries of the new segments, so that a rerun can end the
    /// swap (when the target completed it) or revert it.
    public struct SwapRecord: Codable, Sendable, Equatable {
        public var lineageId: String?
        public var segmentsTo: [LedgerEntry]
    }

    public struct LakeFile: Codable, Sendable, Equatable {
        public var uri: String
        public var etag: String?
        public var size: Int
        public var records: Int64
    }

    init(step: IngestionStep) {
        stepId = step.id
        kind = step.kind
        snapshotId = step.snapshotId
        sequenceNumber = step.sequenceNumber
        afterSequenceNumber = step.afterSequenceNumber
        files = step.kind == .dataLake ? step.files.map { LakeFile(uri: $0.path, etag: $0.etag, size: $0.size, records: $0.recordCount) } : nil
        groupCount = step.groups.count
        pushedGroups = step.pushedGroups.sorted()
        removedFiles = step.removedFiles.isEmpty ? nil : step.removedFiles
        replaces = step.replaces.isEmpty ? nil : step.replaces
    }
}
