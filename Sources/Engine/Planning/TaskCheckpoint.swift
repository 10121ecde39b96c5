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
    /// S3 data lake: every ingested file's URI and ETag. Not written into the checkpoint: each
    /// step's change to it is stored on its own (`files/<step>.json`, ``filesChange``) and the
    /// map is rebuilt when the checkpoint is read, so a run writes in proportion to its files. A
    /// checkpoint written before holds the map itself, which the changes then apply to.
    public var ingestedFiles: [String: String]?
    public var inProgress: StepProgress?
    /// Steps completed since the task began: the ordinal of the step in progress, under which
    /// its ledger changes, plan and shard records are stored.
    public var steps: Int?
    /// ISO 8601, when it was written.
    public var updatedAt: String?
    /// The change the step just completed made to ``ingestedFiles`` (kept until it is saved).
    var filesChange: FilesChange?

    public init() {}

    /// An S3 data lake step's files: those it ingested (URI and ETag) and those it removed.
    struct FilesChange: Codable, Sendable, Equatable {
        var added: [String: String]
        var removed: [String]
    }

    private enum CodingKeys: String, CodingKey {
        case formatVersion, tableUUID, snapshotId, sequenceNumber, ingestedFiles, inProgress, steps, updatedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encodeIfPresent(tableUUID, forKey: .tableUUID)
        try container.encodeIfPresent(snapshotId, forKey: .snapshotId)
        try container.encodeIfPresent(sequenceNumber, forKey: .sequenceNumber)
        try container.encodeIfPresent(inProgress, forKey: .inProgress)
        try container.encodeIfPresent(steps, forKey: .steps)
        try container.encodeIfPresent(updatedAt, forKey: .updatedAt)
    }

    /// The step in progress's ordinal.
    var ordinal: Int { steps ?? 0 }
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
