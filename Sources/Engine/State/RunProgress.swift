import Synchronization

/// The counts of the run under way, and the one writer of `status.json`: every stage reports
/// here, and ``publish(_:error:)`` writes the status file from it (the push stage with each
/// checkpoint, the task at its start, after planning and at its end).
final class RunProgress: Sendable {
    private let folder: StateFolder
    private let state: Mutex<TaskStatus>

    init(folder: StateFolder, taskName: String, lastSnapshot: Int64?) {
        self.folder = folder
        var status = TaskStatus(state: .running, taskName: taskName, startedAt: Timestamps.now())
        status.lastIngestedSnapshotId = lastSnapshot
        state = Mutex(status)
    }

    /// The status as of now, in `state`; a finished state stamps `finishedAt`.
    func status(_ value: TaskStatus.State, error: ErrorReport? = nil) -> TaskStatus {
        state.withLock { status in
            status.state = value
            status.error = error
            if value != .running { status.finishedAt = Timestamps.now() }
            return status
        }
    }

    /// Writes the status as of now to `status.json` and returns it.
    @discardableResult
    func publish(_ value: TaskStatus.State, error: ErrorReport? = nil) throws(EngineError) -> TaskStatus {
        let status = status(value, error: error)
        try folder.save(status)
        return status
    }

    private func update(_ body: (inout TaskStatus) -> Void) { state.withLock { body(&$0) } }

    func discovered(_ plan: RunPlan) {
        update { status in
            status.filesDiscovered += plan.steps.reduce(0) { $0 + $1.files.count }
            status.notes += plan.notes.filter { !status.notes.contains($0) }
            if plan.checkpointExpired {
                status.notes.append("the checkpointed snapshot has expired: data files were compared by sequence number instead")
            }
        }
    }

    func stepStarted(_ step: IngestionStep) {
        update { status in
            let action: String
            switch step.action {
            case .ingest: action = "ingest"
            case .noOp: action = "noOp"
            case .relink: action = "relink"
            case .skipped(let operation): action = "skipped \(operation)"
            }
            var count = TaskStatus.SnapshotCount(snapshotId: step.snapshotId, step: step.id, action: action, files: step.files.count,
                                                 operation: step.operation, filesRemoved: step.removedFiles.count)
            var deletes = Set<String>()
            for file in step.files {
                let applied = (file.deletes.deletionVector.map { [$0] } ?? []) + file.deletes.positionDeletes + file.deletes.equalityDeletes
                for delete in applied { deletes.insert(delete.path + "@" + String(delete.contentOffset ?? 0)) }
            }
            count.deleteFiles = deletes.count
            status.snapshots.append(count)
        }
    }

    /// A file's rows left out under `continueOnRowError` (the first few kept as examples) and
    /// values cut to `maxLength`.
    func rowsChecked(_ outcome: RowGroupAppender.Outcome) {
        update { status in
            status.rowsDropped += outcome.dropped.count
            status.droppedRows += outcome.dropped.prefix(max(0, TaskStatus.droppedRowExamples - status.droppedRows.count))
            status.valuesCut.merge(outcome.cuts, uniquingKeysWith: +)
            if outcome.deleted > 0, let last = status.snapshots.indices.last { status.snapshots[last].rowsDeleted += outcome.deleted }
        }
    }

    func fileIngested() { update { $0.filesIngested += 1 } }

    func fileSkipped(_ path: String, _ error: ErrorReport) {
        update { $0.skippedFiles.append(.init(file: path, error: error)) }
    }

    func segmentSealed() { update { $0.segmentsGenerated += 1 } }

    func segmentPushed(step: String, rows: Int) {
        update { status in
            status.segmentsPushed += 1
            status.rowsIngested += rows
            if let index = status.snapshots.lastIndex(where: { $0.step == step }) {
                status.snapshots[index].segments += 1
                status.snapshots[index].rows += rows
            }
        }
    }

    func segmentsReplaced(step: String, count: Int) {
        update { status in
            if let index = status.snapshots.lastIndex(where: { $0.step == step }) { status.snapshots[index].segmentsReplaced += count }
        }
    }

    func stepCompleted(lastSnapshot: Int64?) { update { $0.lastIngestedSnapshotId = lastSnapshot } }
}
