import Foundation
import Pinot
import Synchronization

/// Stage 5: pushes sealed segments in order and moves the checkpoint — the only stage that
/// writes state. A segment is pushed, recorded in the ledger, and when it completes its group
/// the group is checkpointed as pushed; when a step's last group is in, the step's snapshot
/// becomes the checkpoint. A push that has started finishes even when the run is being stopped
/// (it runs in a task of its own that cancellation does not reach), so it is either complete and
/// recorded, or — killed outright — not recorded and pushed again, under the same name, by the
/// next run.
final class PushStage: @unchecked Sendable {
    private let context: PipelineContext
    private let pusher: any SegmentPusher
    private let folder: StateFolder
    private let progress: RunProgress
    private var checkpoint: TaskCheckpoint
    private var prepared = false

    init(context: PipelineContext, pusher: any SegmentPusher, folder: StateFolder, checkpoint: TaskCheckpoint, progress: RunProgress) {
        self.context = context
        self.pusher = pusher
        self.folder = folder
        self.checkpoint = checkpoint
        self.progress = progress
    }

    func run(input: StageChannel.Receiver<BuiltWork>) async throws {
        while let item = await input.next() {
            switch item {
            case .marker(.stepStarted(let step)):
                progress.stepStarted(step)
                context.events.emit(.filesDiscovered(step: step.id, snapshotId: step.snapshotId, files: step.files.count, segmentGroups: step.groups.count))
                if step.action == .ingest, !step.groups.isEmpty, checkpoint.inProgress?.stepId != step.id {
                    checkpoint.inProgress = StepProgress(step: step)
                    checkpoint.tableUUID = context.plan.tableUUID ?? checkpoint.tableUUID
                    try save()
                }
            case .marker(.stepEnd(let step)):
                try await shielded { try self.complete(step) }
            case .marker:
                break
            case .sealed(let segment, let completesGroup):
                try await shielded { try await self.push(segment, completesGroup: completesGroup) }
            case .groupComplete(_, let group):
                try await shielded { try self.checkpointGroup(group) }
            case .fileIngested(let work, let rows):
                progress.fileIngested(work, rows: rows)
                context.metrics.filesIngested.increment()
                context.events.emit(.fileIngested(file: work.file.path, rows: rows))
            case .fileSkipped(let work, let error):
                let report = FailureReport.report(error)
                progress.fileSkipped(work, report)
                context.metrics.filesSkipped.increment()
                context.events.emit(.fileSkipped(file: work.file.path, error: report))
            }
        }
        try Task.checkCancellation()
    }

    /// Runs `body` to its end even if the run is being cancelled.
    private func shielded(_ body: @escaping @Sendable () async throws -> Void) async throws {
        try await Task { try await body() }.value
    }

    private func push(_ segment: SealedSegment, completesGroup: Bool) async throws {
        if !prepared {
            try await pusher.prepare(schema: context.plan.pinotSchema, first: segment)
            prepared = true
        }
        await FaultInjection.delay("push")
        let started = ContinuousClock.now
        do {
            try await pusher.push(segment)
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.pushRejected, "pushing segment \(segment.name) failed: \(error)", underlying: error)
        }
        let elapsed = ContinuousClock.now - started
        FaultInjection.reached("pushed")
        unlink(segment.tarball)
        context.gauges.pushed()
        context.metrics.segmentsPushed.increment()
        context.metrics.pushLatency.recordNanoseconds(Int64(elapsed.components.seconds) * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        context.metrics.rows.increment(by: segment.rows)
        try folder.record(StateFolder.LedgerEntry(
            segment: segment.name, step: segment.stepId, snapshotId: segment.snapshotId, group: segment.group, part: segment.part,
            rows: segment.rows, files: segment.files, pushedAt: Timestamps.now()))
        progress.segmentPushed(segment)
        context.events.emit(.segmentPushed(name: segment.name, rows: segment.rows, bytes: segment.tarballBytes,
                                           seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        if completesGroup { try checkpointGroup(segment.group) }
    }

    private func checkpointGroup(_ group: Int) throws {
        guard var inProgress = checkpoint.inProgress else { return }
        if !inProgress.pushedGroups.contains(group) {
            inProgress.pushedGroups.append(group)
            inProgress.pushedGroups.sort()
        }
        checkpoint.inProgress = inProgress
        try save()
        FaultInjection.reached("checkpointed")
    }

    private func complete(_ step: IngestionStep) throws {
        if let snapshotId = step.snapshotId {
            checkpoint.snapshotId = snapshotId
            checkpoint.sequenceNumber = step.sequenceNumber
        }
        if step.kind == .dataLake {
            var ingested = checkpoint.ingestedFiles ?? [:]
            for file in step.files { ingested[file.path] = file.etag ?? "" }
            checkpoint.ingestedFiles = ingested
        }
        checkpoint.tableUUID = context.plan.tableUUID ?? checkpoint.tableUUID
        checkpoint.inProgress = nil
        try save()
        progress.stepCompleted(step, checkpoint: checkpoint)
        context.events.emit(.snapshotCheckpointed(step: step.id, snapshotId: step.snapshotId))
        FaultInjection.reached("checkpointed")
    }

    private func save() throws {
        try folder.save(checkpoint)
        try folder.save(progress.status(state: .running))
    }
}

/// The counts of the run under way, which `status.json` reports.
final class RunProgress: Sendable {
    private let state: Mutex<TaskStatus>

    init(taskName: String, lastSnapshot: Int64?) {
        var status = TaskStatus(state: .running, taskName: taskName, startedAt: Timestamps.now())
        status.lastIngestedSnapshotId = lastSnapshot
        state = Mutex(status)
    }

    func status(state value: TaskStatus.State, error: ErrorReport? = nil) -> TaskStatus {
        state.withLock { status in
            status.state = value
            status.error = error
            if value != .running { status.finishedAt = Timestamps.now() }
            return status
        }
    }

    func update(_ body: (inout TaskStatus) -> Void) { state.withLock { body(&$0) } }

    func discovered(_ plan: RunPlan) {
        update { status in
            status.filesDiscovered = plan.steps.reduce(0) { $0 + $1.files.count }
            status.notes += plan.notes
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
            case .skipped(let operation): action = "skipped \(operation)"
            }
            status.snapshots.append(.init(snapshotId: step.snapshotId, step: step.id, action: action, files: step.files.count))
        }
    }

    func fileIngested(_ work: FileWork, rows: Int) { update { $0.filesIngested += 1 } }

    func fileSkipped(_ work: FileWork, _ error: ErrorReport) {
        update { $0.skippedFiles.append(.init(file: work.file.path, error: error)) }
    }

    func segmentSealed() { update { $0.segmentsGenerated += 1 } }

    func segmentPushed(_ segment: SealedSegment) {
        update { status in
            status.segmentsPushed += 1
            status.rowsIngested += segment.rows
            if let index = status.snapshots.lastIndex(where: { $0.step == segment.stepId }) {
                status.snapshots[index].segments += 1
                status.snapshots[index].rows += segment.rows
            }
        }
    }

    func stepCompleted(_ step: IngestionStep, checkpoint: TaskCheckpoint) {
        update { $0.lastIngestedSnapshotId = checkpoint.snapshotId }
    }
}
