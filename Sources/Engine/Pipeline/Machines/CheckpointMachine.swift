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

    /// Whether the ledger names `segment` (recorded before this run, or pushed in it).
    func hasRecorded(_ segment: String) -> Bool { recorded.contains(segment) }

    /// A step begins: the checkpoint to save first, when the step has groups to push and is not
    /// already the step in progress (a rerun keeps the groups it recorded).
    mutating func stepStarted(_ step: IngestionStep) -> TaskCheckpoint? {
        guard step.action == .ingest, !step.groups.isEmpty || step.isSwap, checkpoint.inProgress?.stepId != step.id else { return nil }
        checkpoint.inProgress = StepProgress(step: step)
        checkpoint.filesChange = nil
        checkpoint.tableUUID = tableUUID ?? checkpoint.tableUUID
        return checkpoint
    }

    /// A segment's push returned at `time` (ISO 8601).
    mutating func pushed(_ cut: SegmentCutter.Cut, rows: Int, at time: String) -> PushOutcome {
        var entry = LedgerEntry(segment: cut.name, step: cut.stepId, snapshotId: cut.snapshotId, group: cut.group, part: cut.part,
                                rows: rows, files: cut.files, pushedAt: time)
        entry.deletes = cut.deletes.isEmpty ? nil : cut.deletes
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

    /// A swap step's new segments are sealed and the target began the swap: the checkpoint to
    /// save before the first of them is pushed, so a rerun knows to end or revert it.
    mutating func swapStarted(lineageId: String?, segments: [LedgerEntry]) -> TaskCheckpoint {
        checkpoint.inProgress?.swap = StepProgress.SwapRecord(lineageId: lineageId, segmentsTo: segments)
        return checkpoint
    }

    /// Every group of the step is pushed: the step's snapshot (or listed files) becomes the
    /// checkpoint to save.
    mutating func stepEnded(_ step: IngestionStep) -> TaskCheckpoint {
        finish(snapshotId: step.snapshotId, sequenceNumber: step.sequenceNumber, kind: step.kind,
               files: step.files.map { ($0.path, $0.etag ?? "") }, removed: step.removedFiles)
    }

    /// The step in progress ended on the target (a swap a killed run completed): the checkpoint
    /// its end would have saved.
    mutating func inProgressEnded() -> TaskCheckpoint {
        guard let progress = checkpoint.inProgress else { return checkpoint }
        return finish(snapshotId: progress.snapshotId, sequenceNumber: progress.sequenceNumber, kind: progress.kind,
                      files: (progress.files ?? []).map { ($0.uri, $0.etag ?? "") }, removed: progress.removedFiles ?? [])
    }

    private mutating func finish(snapshotId: Int64?, sequenceNumber: Int64?, kind: IngestionStep.Kind,
                                 files: [(path: String, etag: String)], removed: [String]) -> TaskCheckpoint {
        if let snapshotId {
            checkpoint.snapshotId = snapshotId
            checkpoint.sequenceNumber = sequenceNumber
        }
        checkpoint.filesChange = nil
        if kind == .dataLake {
            var ingested = checkpoint.ingestedFiles ?? [:]
            for path in removed { ingested[path] = nil }
            for file in files { ingested[file.path] = file.etag }
            checkpoint.ingestedFiles = ingested
            checkpoint.filesChange = TaskCheckpoint.FilesChange(added: Dictionary(files.map { ($0.path, $0.etag) }, uniquingKeysWith: { $1 }),
                                                                removed: removed)
        }
        checkpoint.tableUUID = tableUUID ?? checkpoint.tableUUID
        checkpoint.inProgress = nil
        checkpoint.steps = checkpoint.ordinal + 1
        return checkpoint
    }
}
