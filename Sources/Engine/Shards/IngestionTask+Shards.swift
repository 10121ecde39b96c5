import Foundation
import Logging
import Pinot

/// One task as N shards (DESIGN.md, "Scaling out"): the same binary started N times — by a
/// Kubernetes Indexed Job, by Spark, by hand — with the state on object storage (or a shared
/// folder), and no coordinator. The first shard to plan a step writes the step's plan with a
/// conditional create and opens the step's lineage entry; every shard builds and pushes its
/// fixed part of the plan's groups and records it; the shard that finds every part done ends
/// the lineage entry, so the whole step becomes visible at once, and moves the checkpoint by
/// compare-and-swap. A shard whose part is done exits; two workers with the same index push the
/// same segments under the same names.
extension IngestionTask {
    /// How long a plan may wait for its lineage entry before another shard opens it (the
    /// writer died between writing the plan and opening the entry).
    static let lineageTakeOverSeconds = 60.0

    /// Runs shard `shard` of `shards`.
    /// - Returns: the report of the shard's run: completed when its part of every step it saw
    ///   is pushed (the step itself completes when the last shard's part is).
    public func run(shard: Int, of shards: Int) async throws -> TaskReport {
        let folder: StateFolder
        do {
            guard shards >= 1, (0..<shards).contains(shard) else {
                throw EngineError(.invalidConfiguration, "shard \(shard) of \(shards): the shard index must be from 0 to \(max(0, shards - 1))")
            }
            folder = try StateFolder.open(configuration, shard: shard)
            try folder.create()
            try await folder.claim(for: TaskOwner(configuration))
        } catch {
            var status = TaskStatus(state: .failed, taskName: configuration.taskName, startedAt: Timestamps.now())
            status.error = FailureReport.report(error)
            hub.emit(.runFinished(status, paused: false))
            throw error
        }
        if await isPaused() {
            logger.info("task is paused; nothing to do")
            let previous = try? await folder.status(folder.statusName)
            hub.emit(.runFinished(previous ?? TaskStatus(state: .completed, taskName: configuration.taskName, startedAt: Timestamps.now()), paused: true))
            return TaskReport(status: previous, paused: true)
        }
        folder.clearWork()
        let progress = RunProgress(folder: folder, taskName: configuration.taskName, lastSnapshot: nil)
        var logger = self.logger
        logger[metadataKey: "shard"] = "\(shard)/\(shards)"
        let report: TaskReport
        do {
            progress.stepCompleted(lastSnapshot: try await folder.checkpoint()?.snapshotId)
            try progress.publish(.running)
            hub.emit(.runStarted(task: configuration.taskName))
            let connection = try Connection(configuration)
            let pusher = try pusherOverride ?? makePusher(io: connection.io)
            try await pusher.checkTarget()
            let worker = ShardWorker(task: self, folder: folder, connection: connection, pusher: pusher, progress: progress,
                                     shard: shard, shards: shards, logger: logger)
            while try await worker.runStep() {}
            report = finish(progress, error: nil)
        } catch {
            report = finish(progress, error: error)
        }
        await folder.flushStatus()
        return report
    }
}

/// One shard's work on the steps it finds, a step at a time.
struct ShardWorker {
    let task: IngestionTask
    let folder: StateFolder
    let connection: Connection
    let pusher: any SegmentPusher
    let progress: RunProgress
    let shard: Int
    let shards: Int
    let logger: Logger
    /// Names this worker in a plan's lineage claim.
    let claim = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"


    private var configuration: TaskConfiguration { task.configuration }

    /// Does this shard's part of the step after the checkpoint, and completes the step when
    /// every part is done.
    /// - Returns: true when the step completed (the next one may be planned), false when there
    ///   is nothing new or other shards' parts are still under way.
    func runStep() async throws -> Bool {
        let checkpoint = try await folder.checkpoint()
        let version = folder.readCheckpointVersion
        let ordinal = checkpoint?.ordinal ?? 0
        guard var (plan, planVersion) = try await planned(checkpoint, ordinal: ordinal) else {
            logger.info("nothing new to ingest")
            return false
        }
        guard plan.shards == shards else {
            throw EngineError(.invalidConfiguration,
                "step \(plan.stepId) was planned for \(plan.shards) shards (\(folder.location)\(StateFolder.planName(ordinal))), not \(shards): "
                + "run this step with --shards \(plan.shards); later steps may use another count")
        }
        let runPlan = try await replanned(plan, checkpoint: checkpoint)
        (plan, planVersion) = try await lineageOpened(plan, version: planVersion, schema: runPlan.pinotSchema)
        var step = runPlan.steps[0]
        let recorded = try await folder.shardRecord(ordinal, shard)?.record
        if recorded?.done != true {
            let mine = Set(plan.assignment[shard])
            step.pushedGroups = Set(step.groups.map(\.index)).subtracting(mine).union(recorded?.pushedGroups ?? [])
            var part = runPlan
            part.steps = [step]
            part.truncated = false
            progress.discovered(part)
            try progress.publish(.running)
            logger.info("building this shard's part", metadata: ["step": "\(step.id)", "groups": "\(mine.count)", "of": "\(step.groups.count)"])
            let context = PipelineContext(
                configuration: configuration, plan: part, tableConfig: try await task.tableConfig(part, pusher: pusher),
                metrics: TaskMetrics(task: configuration.taskName), events: task.hub, gauges: task.gaugeBox, progress: progress,
                deletes: DeleteLoader(io: part.io, schema: part.table?.currentSchema), workPath: folder.workPath)
            try await IngestionPipeline.run(context: context, pusher: pusher, folder: folder, ending: .shard(shard, ordinal: ordinal))
            try Task.checkCancellation()
            try await folder.mergeShardRecord(ShardRecord(shard: shard, done: true), ordinal: ordinal)
        }
        return try await complete(step, plan: plan, checkpoint: checkpoint, version: version, ordinal: ordinal, tableUUID: runPlan.tableUUID)
    }

    /// The step's plan: the one a shard wrote, or this shard's, written now; nil when there is
    /// no new step.
    private func planned(_ checkpoint: TaskCheckpoint?, ordinal: Int) async throws -> (ShardPlan, String)? {
        if let existing = try await folder.shardPlan(ordinal) { return existing }
        let plan = try await StepPlanner(connection: connection)
            .plan(checkpoint: checkpoint, lakeSchema: try await folder.lakeSchema(), ledger: try await folder.ledger())
        if let lakeSchema = plan.lakeSchema { try await folder.save(lakeSchema) }
        guard let step = plan.steps.first else { return nil }
        var record = ShardPlan(step: step, ordinal: ordinal, shards: shards, table: configuration.table,
                               maxRows: configuration.segments.maxRowsPerSegment)
        record.lineageClaim = claim
        let written = try await folder.createShardPlan(record)
        if written.plan == record { logger.info("planned the step for every shard", metadata: ["step": "\(step.id)", "groups": "\(step.groups.count)"]) }
        return written
    }

    /// The step planned again from its plan: the same files, groups and names.
    private func replanned(_ plan: ShardPlan, checkpoint: TaskCheckpoint?) async throws -> RunPlan {
        var pinned = checkpoint ?? TaskCheckpoint()
        pinned.inProgress = plan.step
        var runPlan = try await StepPlanner(connection: connection)
            .plan(checkpoint: pinned, lakeSchema: try await folder.lakeSchema(), ledger: try await folder.ledger())
        guard let step = runPlan.steps.first, step.id == plan.stepId, step.groups.count == plan.groups.count else {
            throw EngineError(.stateCorrupt,
                "step \(plan.stepId) of \(folder.location)\(StateFolder.planName(plan.ordinal)) cannot be planned again from the source "
                + "(planned now: \(runPlan.steps.first?.id ?? "nothing")): the table changed in a way the plan cannot follow")
        }
        runPlan.steps = [step]
        return runPlan
    }

    /// The plan once its lineage entry is open: opened here when this worker wrote the plan (or
    /// takes over from a writer that left it too long), else waited for.
    private func lineageOpened(_ plan: ShardPlan, version: String, schema: PinotSchema) async throws -> (ShardPlan, String) {
        var (plan, version) = (plan, version)
        let started = Date()
        while !plan.lineageOpened {
            var takeOver = false
            if plan.lineageClaim != claim, Date().timeIntervalSince(started) > IngestionTask.lineageTakeOverSeconds {
                var claimed = plan
                claimed.lineageClaim = claim
                if let claimedVersion = try await folder.replaceShardPlan(claimed, ifVersion: version) {
                    (plan, version) = (claimed, claimedVersion)
                    takeOver = true
                    logger.notice("the step's plan has had no lineage entry for a minute: this shard opens it", metadata: ["step": "\(plan.stepId)"])
                }
            }
            if plan.lineageClaim == claim {
                try await pusher.prepareTable(schema: schema)
                // The writer never reverts another's entry; one that takes over does, as its claim says it may.
                let id = try await pusher.beginSwap(from: plan.replaces, to: plan.segments, forceCleanup: takeOver)
                var opened = plan
                opened.lineageId = id
                opened.lineageOpened = true
                if let openedVersion = try await folder.replaceShardPlan(opened, ifVersion: version) { return (opened, openedVersion) }
            } else {
                try await Task.sleep(for: .milliseconds(250))
            }
            guard let reread = try await folder.shardPlan(plan.ordinal) else {
                throw EngineError(.stateCorrupt, "\(folder.location)\(StateFolder.planName(plan.ordinal)) disappeared")
            }
            (plan, version) = reread
        }
        return (plan, version)
    }

    /// Completes the step when every shard's part is done: ends the lineage entry (the step's
    /// segments become visible together, the ones it replaces go), records the swap or relink
    /// in the ledger, and moves the checkpoint by compare-and-swap.
    /// - Returns: false while another part is under way.
    private func complete(_ step: IngestionStep, plan: ShardPlan, checkpoint: TaskCheckpoint?, version: String?, ordinal: Int,
                          tableUUID: String?) async throws -> Bool {
        var records: [ShardRecord] = []
        for index in 0..<plan.shards {
            guard let record = try await folder.shardRecord(ordinal, index)?.record, record.done else {
                logger.info("this shard's part is done; the step completes when every shard's part is", metadata: ["waiting for": "shard \(index)"])
                return false
            }
            records.append(record)
        }
        let pushed = Set(records.flatMap(\.segments.keys))
        let expected = plan.segments.filter(pushed.contains)
        let unforeseen = pushed.subtracting(plan.segments).sorted()
        if !unforeseen.isEmpty {
            logger.warning("segments were cut where the plan did not foresee: they were visible before the step completed",
                           metadata: ["segments": "\(unforeseen)"])
        }
        do {
            try await pusher.endSwap(id: plan.lineageId, from: plan.replaces, to: expected)
        } catch {
            guard try await pusher.swapCompleted(id: plan.lineageId, from: plan.replaces, to: expected) else { throw error }
        }
        if !plan.replaces.isEmpty { try await folder.applySwap(removing: plan.replaces, adding: [], ordinal: ordinal) }
        if step.action == .relink { try await folder.relinkLedger(removed: Set(step.removedFiles), added: step.relinkedFiles, ordinal: ordinal) }
        var machine = CheckpointMachine(checkpoint: checkpoint ?? TaskCheckpoint(), tableUUID: tableUUID)
        let next = machine.stepEnded(step)
        if try await folder.save(next, ifVersion: version) {
            progress.stepCompleted(lastSnapshot: next.snapshotId)
            progress.segmentsReplaced(step: step.id, count: plan.replaces.count)
            // The task's status names the step's completion (each shard's own status is beside it).
            var status = try progress.publish(.running)
            status.state = .completed
            status.finishedAt = Timestamps.now()
            // The step's counts over every shard's part (this worker's own are in its shard status).
            status.segmentsGenerated = pushed.count
            status.segmentsPushed = pushed.count
            status.rowsIngested = records.reduce(0) { $0 + $1.rows }
            status.filesIngested = step.files.count
            try await folder.store.write("status.json", Array(status.jsonText().utf8))
            task.hub.emit(.snapshotCheckpointed(step: step.id, snapshotId: step.snapshotId))
            logger.info("completed the step for every shard", metadata: ["step": "\(step.id)", "segments": "\(pushed.count)"])
            try await folder.compactLedger(completedSteps: next.ordinal)
        }
        return true
    }
}
