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
///
/// A swap step (one that replaces live segments: an overwrite, a delete, a data lake file
/// rewritten or deleted) pushes nothing until all its segments are sealed; then the target
/// begins the swap (recorded in the checkpoint; a rerun carries on with the recorded one),
/// takes every new segment, and ends it, and only then do the ledger and checkpoint move. A
/// relink step (a compaction) only rewrites the ledger.
///
/// With atomic steps (`push.atomicSteps`, by default wherever the controller keeps segment
/// lineage), an append step's segments are pushed as they are sealed but under a lineage entry
/// begun before the first of them (recorded in the checkpoint), and ended just before the
/// step's checkpoint: a query sees the snapshot's rows all or none.
struct PushStage {
    private let context: PipelineContext
    private let pusher: any SegmentPusher
    private let folder: StateFolder
    private var machine: CheckpointMachine
    private var prepared = false
    /// The swap step in hand and its sealed segments, held until the step ends.
    private var swapStep: IngestionStep?
    private var pending: [(segment: SealedSegment, cut: SegmentCutter.Cut)] = []
    /// Whether steps are pushed under a lineage entry each, once known (at the first push).
    private var atomic: Bool?
    /// The append step in hand's lineage entry (atomic steps).
    private var entry: StepEntry?

    private struct StepEntry {
        var stepId: String
        var id: String?
        /// The segments the entry expects (``SegmentNaming/expected(table:step:group:maxRows:)``).
        var names: [String]
        var begun: Bool
    }

    init(context: PipelineContext, pusher: any SegmentPusher, folder: StateFolder, checkpoint: TaskCheckpoint) async throws {
        self.context = context
        self.pusher = pusher
        self.folder = folder
        machine = CheckpointMachine(checkpoint: checkpoint, tableUUID: context.plan.tableUUID,
                                    recorded: Set(try await folder.ledger().map(\.segment)))
    }

    private var progress: RunProgress { context.progress }

    mutating func run(input: StageChannel.Receiver<BuiltWork>) async throws {
        while let item = await input.next() {
            switch item {
            case .marker(.stepStarted(let step)):
                context.reportStepStarted(step)
                if let checkpoint = machine.stepStarted(step) { try await save(checkpoint) }
                swapStep = step.isSwap ? step : nil
                pending = []
                entry = nil
                if step.action == .ingest, !step.isSwap, !step.groups.isEmpty {
                    let (table, maxRows) = (context.configuration.table, context.configuration.segments.maxRowsPerSegment)
                    // A rerun carries on with the entry the killed run began.
                    let recorded = machine.checkpoint.inProgress.flatMap { $0.stepId == step.id ? $0.swap : nil }
                    entry = StepEntry(stepId: step.id, id: recorded?.lineageId,
                                      names: step.groups.flatMap { SegmentNaming.expected(table: table, step: step, group: $0, maxRows: maxRows) },
                                      begun: recorded != nil)
                }
            case .marker(.stepEnd(let step)) where step.isSwap:
                try await swap(step)
            case .marker(.stepEnd(let step)) where step.action == .relink:
                let ordinal = machine.checkpoint.ordinal
                let checkpoint = machine.stepEnded(step)
                let (folder, progress) = (self.folder, self.progress)
                try await Self.shielded {
                    try await folder.relinkLedger(removed: Set(step.removedFiles), added: step.relinkedFiles, ordinal: ordinal)
                    try await Self.save(checkpoint, folder: folder, progress: progress)
                    progress.stepCompleted(lastSnapshot: checkpoint.snapshotId)
                }
            case .marker(.stepEnd(let step)):
                let begun = entry.flatMap { $0.stepId == step.id && $0.begun ? $0 : nil }
                entry = nil
                // The expected segments that were made (names carry the step, so no other step's).
                let made = begun?.names.filter(machine.hasRecorded) ?? []
                let checkpoint = machine.stepEnded(step)
                let (folder, progress, events, pusher) = (self.folder, self.progress, context.events, self.pusher)
                try await Self.shielded {
                    if let begun {
                        try await pusher.endSwap(id: begun.id, from: [], to: made)
                        FaultInjection.reached("step-entry-ended")
                    }
                    try await Self.save(checkpoint, folder: folder, progress: progress)
                    progress.stepCompleted(lastSnapshot: checkpoint.snapshotId)
                    events.emit(.snapshotCheckpointed(step: step.id, snapshotId: step.snapshotId))
                    FaultInjection.reached("checkpointed")
                }
            case .marker:
                break
            case .sealed(let segment, let cut) where swapStep != nil:
                pending.append((segment, cut))
            case .groupComplete where swapStep != nil:
                break
            case .sealed(let segment, let cut):
                if let entry, !entry.begun { try await begin(entry, first: segment) }
                // The machine decides before the push; the entry's time is set once the push returned.
                let ordinal = machine.checkpoint.ordinal
                let outcome = machine.pushed(cut, rows: segment.rows, at: "")
                let prepare = !prepared
                prepared = true
                let (context, pusher, folder) = (self.context, self.pusher, self.folder)
                try await Self.shielded {
                    try await Self.push(segment, prepare: prepare, outcome: outcome, ordinal: ordinal, context: context, pusher: pusher, folder: folder)
                }
            case .groupComplete(_, let group):
                if let checkpoint = machine.groupCompleted(group) {
                    let (folder, progress) = (self.folder, self.progress)
                    try await Self.shielded {
                        try await Self.save(checkpoint, folder: folder, progress: progress)
                        FaultInjection.reached("checkpointed")
                    }
                }
            case .fileIngested(let work, let rows):
                context.reportFileIngested(work, rows: rows)
            case .fileSkipped(let work, let error):
                context.reportFileSkipped(work, error)
            }
        }
        try Task.checkCancellation()
    }

    /// Runs `body` to its end even if the run is being cancelled.
    static func shielded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }

    /// Carries out a swap step: begin on the target (recorded in the checkpoint), push every
    /// new segment, end, then the ledger and the checkpoint.
    private mutating func swap(_ step: IngestionStep) async throws {
        let segments = pending
        pending = []
        swapStep = nil
        var machine = self.machine
        let names = segments.map(\.segment.name)
        let at = Timestamps.now()
        let context = self.context
        let entries = segments.map { item in
            var entry = machine.pushed(item.cut, rows: item.segment.rows, at: at).ledger
            entry.pushedAt = at
            entry.columns = context.plan.pinotSchema.fields.map(\.name)
            return entry
        }
        let prepare = !prepared && !segments.isEmpty
        prepared = prepared || prepare
        let (pusher, folder, progress) = (self.pusher, self.folder, self.progress)
        let replaces = step.replaces
        let started = machine
        // A swap a killed run began with these segments carries on under its record.
        let recorded = machine.checkpoint.inProgress.flatMap { $0.stepId == step.id ? $0.swap : nil }
        self.machine = try await Self.shielded {
            var machine = started
            let id: String?
            do {
                if let recorded, Set(recorded.segmentsTo.map(\.segment)) == Set(names) {
                    id = recorded.lineageId
                } else {
                    if let recorded { try await pusher.revertSwap(id: recorded.lineageId, from: replaces, to: recorded.segmentsTo.map(\.segment)) }
                    id = try await pusher.beginSwap(from: replaces, to: names)
                }
            } catch let error as EngineError {
                throw error
            } catch {
                throw EngineError(.pushRejected, "starting to replace \(replaces.count) segments failed: \(error)", underlying: error)
            }
            let ordinal = machine.checkpoint.ordinal
            try await Self.save(machine.swapStarted(lineageId: id, segments: entries), folder: folder, progress: progress)
            FaultInjection.reached("swap-started")
            for (index, item) in segments.enumerated() {
                try await Self.upload(item.segment, prepare: prepare && index == 0, context: context, pusher: pusher)
                progress.segmentPushed(step: step.id, rows: item.segment.rows)
            }
            FaultInjection.reached("swap-pushed")
            try await pusher.endSwap(id: id, from: replaces, to: names)
            FaultInjection.reached("swap-ended")
            try await folder.applySwap(removing: replaces, adding: entries, ordinal: ordinal)
            progress.segmentsReplaced(step: step.id, count: replaces.count)
            let checkpoint = machine.stepEnded(step)
            try await Self.save(checkpoint, folder: folder, progress: progress)
            progress.stepCompleted(lastSnapshot: checkpoint.snapshotId)
            context.events.emit(.snapshotCheckpointed(step: step.id, snapshotId: step.snapshotId))
            FaultInjection.reached("checkpointed")
            return machine
        }
    }

    /// Before an atomic step's first push: the table made ready, then the step's lineage entry
    /// begun (an entry a killed run began and did not record is reverted) and recorded.
    private mutating func begin(_ step: StepEntry, first: SealedSegment) async throws {
        var step = step
        let (pusher, context, folder, progress) = (self.pusher, self.context, self.folder, self.progress)
        if !prepared {
            try await pusher.prepare(schema: context.plan.pinotSchema, first: first)
            prepared = true
        }
        if atomic == nil {
            if let configured = context.configuration.push.atomicSteps { atomic = configured } else { atomic = await pusher.supportsLineage() }
        }
        guard atomic == true else {
            entry = nil
            return
        }
        let (started, names) = (self.machine, step.names)
        let (id, saved) = try await Self.shielded {
            var machine = started
            let id: String?
            do {
                id = try await pusher.beginSwap(from: [], to: names, forceCleanup: true)
            } catch let error as EngineError {
                throw error
            } catch {
                throw EngineError(.pushRejected, "starting the step's lineage entry failed: \(error)", underlying: error)
            }
            let checkpoint = machine.swapStarted(lineageId: id, segments: [])
            try await Self.save(checkpoint, folder: folder, progress: progress)
            FaultInjection.reached("step-entry-started")
            return (id, machine)
        }
        self.machine = saved
        step.id = id
        step.begun = true
        entry = step
    }

    private func save(_ checkpoint: TaskCheckpoint) async throws {
        try await Self.save(checkpoint, folder: folder, progress: progress)
    }

    private static func save(_ checkpoint: TaskCheckpoint, folder: StateFolder, progress: RunProgress) async throws {
        try await folder.save(checkpoint)
        try progress.publish(.running)
    }

    /// Pushes one segment, then records it and saves the checkpoint its outcome holds.
    private static func push(
        _ segment: SealedSegment, prepare: Bool, outcome: CheckpointMachine.PushOutcome, ordinal: Int, context: PipelineContext,
        pusher: any SegmentPusher, folder: StateFolder
    ) async throws {
        try await upload(segment, prepare: prepare, context: context, pusher: pusher)
        var entry = outcome.ledger
        entry.pushedAt = Timestamps.now()
        entry.columns = context.plan.pinotSchema.fields.map(\.name)
        try await folder.record(entry, ordinal: ordinal)
        context.progress.segmentPushed(step: outcome.ledger.step, rows: segment.rows)
        if let checkpoint = outcome.checkpoint {
            try await save(checkpoint, folder: folder, progress: context.progress)
            FaultInjection.reached("checkpointed")
        }
    }

    /// Pushes one segment to the target and counts it; the tarball is removed once pushed.
    static func upload(_ segment: SealedSegment, prepare: Bool, context: PipelineContext, pusher: any SegmentPusher) async throws {
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
        context.events.emit(.segmentPushed(name: segment.name, rows: segment.rows, bytes: segment.tarballBytes,
                                           seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
    }
}
