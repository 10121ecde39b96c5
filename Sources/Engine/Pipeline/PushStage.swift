import Foundation

/// Stage 5: pushes sealed segments in order and writes what the ``CheckpointMachine`` says —
/// the only stage that writes state. A segment is pushed, recorded in the ledger, and when it
/// completes its group the group is checkpointed as pushed; when a step's last group is in, the
/// step's snapshot becomes the checkpoint.
///
/// A push that has started finishes even when the run is being stopped: the push and the writes
/// after it run in a task of their own that cancellation does not reach, so a segment is either
/// pushed and recorded, or — killed outright — not recorded and pushed again, under the same
/// name, by the next run. Built inside its own child task and used by it alone.
struct PushStage {
    private let context: PipelineContext
    private let pusher: any SegmentPusher
    private let folder: StateFolder
    private var machine: CheckpointMachine
    private var prepared = false

    init(context: PipelineContext, pusher: any SegmentPusher, folder: StateFolder, checkpoint: TaskCheckpoint) throws {
        self.context = context
        self.pusher = pusher
        self.folder = folder
        machine = CheckpointMachine(checkpoint: checkpoint, tableUUID: context.plan.tableUUID,
                                    recorded: Set(try folder.ledger().map(\.segment)))
    }

    private var progress: RunProgress { context.progress }

    mutating func run(input: StageChannel.Receiver<BuiltWork>) async throws {
        while let item = await input.next() {
            switch item {
            case .marker(.stepStarted(let step)):
                progress.stepStarted(step)
                context.events.emit(.filesDiscovered(step: step.id, snapshotId: step.snapshotId, files: step.files.count,
                                                     segmentGroups: step.groups.count))
                if let checkpoint = machine.stepStarted(step) { try save(checkpoint) }
            case .marker(.stepEnd(let step)):
                let checkpoint = machine.stepEnded(step)
                let (folder, progress, events) = (self.folder, self.progress, context.events)
                try await Self.shielded {
                    try Self.save(checkpoint, folder: folder, progress: progress)
                    progress.stepCompleted(lastSnapshot: checkpoint.snapshotId)
                    events.emit(.snapshotCheckpointed(step: step.id, snapshotId: step.snapshotId))
                    FaultInjection.reached("checkpointed")
                }
            case .marker:
                break
            case .sealed(let segment, let cut):
                // The machine decides before the push; the entry's time is set once the push returned.
                let outcome = machine.pushed(cut, rows: segment.rows, at: "")
                let prepare = !prepared
                prepared = true
                let (context, pusher, folder) = (self.context, self.pusher, self.folder)
                try await Self.shielded {
                    try await Self.push(segment, prepare: prepare, outcome: outcome, context: context, pusher: pusher, folder: folder)
                }
            case .groupComplete(_, let group):
                if let checkpoint = machine.groupCompleted(group) {
                    let (folder, progress) = (self.folder, self.progress)
                    try await Self.shielded {
                        try Self.save(checkpoint, folder: folder, progress: progress)
                        FaultInjection.reached("checkpointed")
                    }
                }
            case .fileIngested(let work, let rows):
                progress.fileIngested()
                context.metrics.filesIngested.increment()
                context.events.emit(.fileIngested(file: work.file.path, rows: rows))
            case .fileSkipped(let work, let error):
                let report = FailureReport.report(error)
                progress.fileSkipped(work.file.path, report)
                context.metrics.filesSkipped.increment()
                context.events.emit(.fileSkipped(file: work.file.path, error: report))
            }
        }
        try Task.checkCancellation()
    }

    /// Runs `body` to its end even if the run is being cancelled.
    private static func shielded(_ body: @escaping @Sendable () async throws -> Void) async throws {
        try await Task { try await body() }.value
    }

    private func save(_ checkpoint: TaskCheckpoint) throws {
        try Self.save(checkpoint, folder: folder, progress: progress)
    }

    private static func save(_ checkpoint: TaskCheckpoint, folder: StateFolder, progress: RunProgress) throws {
        try folder.save(checkpoint)
        try progress.publish(.running)
    }

    /// Pushes one segment, then records it and saves the checkpoint its outcome holds.
    private static func push(
        _ segment: SealedSegment, prepare: Bool, outcome: CheckpointMachine.PushOutcome, context: PipelineContext,
        pusher: any SegmentPusher, folder: StateFolder
    ) async throws {
        if prepare { try await pusher.prepare(schema: context.plan.pinotSchema, first: segment) }
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
        var entry = outcome.ledger
        entry.pushedAt = Timestamps.now()
        try folder.record(entry, replacing: outcome.replacesLedgerEntry)
        context.progress.segmentPushed(step: outcome.ledger.step, rows: segment.rows)
        context.events.emit(.segmentPushed(name: segment.name, rows: segment.rows, bytes: segment.tarballBytes,
                                           seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        if let checkpoint = outcome.checkpoint {
            try save(checkpoint, folder: folder, progress: context.progress)
            FaultInjection.reached("checkpointed")
        }
    }
}
