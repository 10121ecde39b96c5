/// When the checkpoint moves (DESIGN.md, "Snapshots, checkpoints and exactly once"), as a pure
/// state machine: the push stage tells it what happened — a step started, a segment was pushed,
/// a group completed, a step ended — and it answers with the ledger entry to record and the
/// checkpoint to save. The checkpoint only ever records pushes that have returned: a group is
/// marked pushed once its last segment is, and a step's snapshot becomes the checkpoint once
/// every group is in.
struct CheckpointMachine {
    /// What to write after a segment's push returned: its ledger entry, then (when the segment
    /// completed its group) the checkpoint.
    struct PushOutcome: Equatable, Sendable {
        var ledger: LedgerEntry
        /// The ledger already names the segment (an interrupted run pushed it): its entry is
        /// replaced, not added again.
        var replacesLedgerEntry: Bool
        var checkpoint: TaskCheckpoint?
    }

    private(set) var checkpoint: TaskCheckpoint
    /// The Iceberg table's UUID (nil for an S3 data lake).
    let tableUUID: String?
    /// The segments the ledger names.
    private var recorded: Set<String>

    init(checkpoint: TaskCheckpoint, tableUUID: String?, recorded: Set<String> = []) {
        self.checkpoint = checkpoint
        self.tableUUID = tableUUID
        self.recorded = recorded
    }

    /// A step begins: the checkpoint to save first, when the step has groups to push and is not
    /// already the step in progress (a rerun keeps the groups it recorded).
    mutating func stepStarted(_ step: IngestionStep) -> TaskCheckpoint? {
        guard step.action == .ingest, !step.groups.isEmpty, checkpoint.inProgress?.stepId != step.id else { return nil }
        checkpoint.inProgress = StepProgress(step: step)
        checkpoint.tableUUID = tableUUID ?? checkpoint.tableUUID
        return checkpoint
    }

    /// A segment's push returned at `time` (ISO 8601).
    mutating func pushed(_ cut: SegmentCutter.Cut, rows: Int, at time: String) -> PushOutcome {
        let entry = LedgerEntry(segment: cut.name, step: cut.stepId, snapshotId: cut.snapshotId, group: cut.group, part: cut.part,
                                rows: rows, files: cut.files, pushedAt: time)
        let replaces = !recorded.insert(cut.name).inserted
        return PushOutcome(ledger: entry, replacesLedgerEntry: replaces, checkpoint: cut.completesGroup ? groupCompleted(cut.group) : nil)
    }

    /// A group is complete without a further segment: the checkpoint to save.
    mutating func groupCompleted(_ group: Int) -> TaskCheckpoint? {
        guard var inProgress = checkpoint.inProgress else { return nil }
        if !inProgress.pushedGroups.contains(group) {
            inProgress.pushedGroups.append(group)
            inProgress.pushedGroups.sort()
        }
        checkpoint.inProgress = inProgress
        return checkpoint
    }

    /// Every group of the step is pushed: the step's snapshot (or listed files) becomes the
    /// checkpoint to save.
    mutating func stepEnded(_ step: IngestionStep) -> TaskCheckpoint {
        if let snapshotId = step.snapshotId {
            checkpoint.snapshotId = snapshotId
            checkpoint.sequenceNumber = step.sequenceNumber
        }
        if step.kind == .dataLake {
            var ingested = checkpoint.ingestedFiles ?? [:]
            for file in step.files { ingested[file.path] = file.etag ?? "" }
            checkpoint.ingestedFiles = ingested
        }
        checkpoint.tableUUID = tableUUID ?? checkpoint.tableUUID
        checkpoint.inProgress = nil
        return checkpoint
    }
}
