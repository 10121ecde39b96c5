import Columnar
import Failures
import Iceberg
import Foundation
import Logging
import Pinot

/// The outcome of one run of a task.
public struct TaskReport: Sendable {
    /// What `status.json` now holds (for a paused task, what it held before).
    public var status: TaskStatus?
    /// The task is paused (`pause`, or `enabled: false`): nothing was done.
    public var paused: Bool

    /// True when the run completed.
    public var completed: Bool { status?.state == .completed && !paused }
}

/// One ingestion task, for the scheduler that embeds the engine and for `ingest-worker run`:
/// each run takes the source from its checkpoint to the table's head through the pipeline
/// (``IngestionPipeline``), appending every new snapshot as new segments, and leaves
/// `stateDir/status.json` (DESIGN.md, "Task status").
///
/// Runs of one task never overlap: a run holds the state folder's lock, and a second worker
/// fails at once naming the first one's pid. Progress is an `AsyncSequence` of ``TaskEvent``s
/// (``events()``); counters and timers go to swift-metrics, logs to swift-log.
public final class IngestionTask: Sendable {
    public let configuration: TaskConfiguration
    let pusherOverride: (any SegmentPusher)?
    let hub = EventHub()
    let gaugeBox = GaugeBox()
    let logger: Logger

    /// - Parameter pusher: where segments go; by default the configuration's `push.mode`.
    public init(configuration: TaskConfiguration, pusher: (any SegmentPusher)? = nil, logger: Logger = Logger(label: "lakeingest.task")) {
        self.configuration = configuration
        pusherOverride = pusher
        var logger = logger
        logger[metadataKey: "task"] = .string(configuration.taskName)
        self.logger = logger
    }

    /// The task's state, opened anew for each call (a run keeps one for its whole length).
    private func folder() throws -> StateFolder { try StateFolder.open(configuration) }

    /// Progress events of the runs from now on (a new sequence per call; it ends at
    /// ``finishEvents()`` or when its consumer stops). Every run ends with `.runFinished`.
    public func events() -> AsyncStream<TaskEvent> { hub.stream() }

    /// Ends every sequence ``events()`` returned: each consumer still gets the events already
    /// emitted, then the end. For a host that is done with the task (the CLI, before it exits).
    public func finishEvents() { hub.finish() }

    /// What was in flight between the stages, and the peaks, during the latest run.
    public var gauges: PipelineGauges { gaugeBox.value }

    /// The latest run's status, if any. A status file that says RUNNING while no worker holds
    /// the task (the worker was killed) reads as FAILED `interrupted`, naming the last pid.
    public func status() async throws -> TaskStatus? {
        let folder = try folder()
        guard var status = try await folder.status() else { return nil }
        guard status.state == .running else { return status }
        let lock = await HeldLock.probe(folder)
        guard !lock.held else { return status }
        status.state = .failed
        status.error = ErrorReport(
            category: FailureCategory.interrupted.rawValue,
            message: "no worker holds the task (last seen pid \(lock.pid ?? "unknown")): its run ended without finishing; the next run resumes from the checkpoint")
        return status
    }

    /// Pauses the task: a running run finishes; later runs do nothing until ``resume()``.
    /// Segments and checkpoint are kept. The user's configuration file is not touched.
    public func pause() async throws { try await folder().setEnabled(false) }

    /// Resumes a paused task; the next run continues from the checkpoint.
    public func resume() async throws { try await folder().setEnabled(true) }

    /// `enabled: false` in the configuration, or paused (an unreadable state reads as not paused:
    /// the run then reports why it cannot read it).
    public func isPaused() async -> Bool {
        guard configuration.enabled else { return true }
        guard let folder = try? folder() else { return false }
        return await !folder.isEnabled()
    }

    /// Runs the task once.
    /// - Returns: the report of a completed or failed run (the failure is in its status), or of a
    ///   paused task.
    /// - Throws: `EngineError.taskLocked` when another worker runs the task, `.invalidConfiguration`
    ///   when the state folder belongs to another task (in both cases its status file is left
    ///   alone), `.io` when the state folder cannot be written.
    public func run() async throws -> TaskReport {
        let folder: StateFolder
        let lock: HeldLock
        do {
            folder = try self.folder()
            lock = try await HeldLock.acquire(folder, taskName: configuration.taskName)
            do {
                try await folder.claim(for: TaskOwner(configuration))
            } catch {
                await lock.release()
                throw error
            }
        } catch {
            var status = TaskStatus(state: .failed, taskName: configuration.taskName, startedAt: Timestamps.now())
            status.error = FailureReport.report(error)
            hub.emit(.runFinished(status, paused: false))
            throw error
        }
        let report = await run(folder: folder)
        await folder.flushStatus()
        await lock.release()
        return report
    }

    private func run(folder: StateFolder) async -> TaskReport {
        if await isPaused() {
            logger.info("task is paused; nothing to do")
            let previous = try? await folder.status()
            hub.emit(.runFinished(previous ?? TaskStatus(state: .completed, taskName: configuration.taskName, startedAt: Timestamps.now()),
                                  paused: true))
            return TaskReport(status: previous, paused: true)
        }
        let checkpoint: TaskCheckpoint?
        do {
            checkpoint = try await folder.checkpoint()
        } catch {
            let progress = RunProgress(folder: folder, taskName: configuration.taskName, lastSnapshot: nil)
            return finish(progress, error: error)
        }
        let progress = RunProgress(folder: folder, taskName: configuration.taskName, lastSnapshot: checkpoint?.snapshotId)
        do {
            try progress.publish(.running)
        } catch {
            return finish(progress, error: error)
        }
        hub.emit(.runStarted(task: configuration.taskName))
        logger.info("run started", metadata: ["checkpoint": "\(checkpoint?.snapshotId.map(String.init) ?? "none")"])
        do {
            folder.clearWork()
            let connection = try Connection(configuration)
            let pusher = try pusherOverride ?? makePusher(io: connection.io)
            var checkpoint = try await SwapRecovery.settle(checkpoint, pusher: pusher, folder: folder)
            // A plan stops after a step that replaces segments; the rest is planned once it is done.
            while true {
                let planning = ContinuousClock.now
                let plan = try await StepPlanner(connection: connection)
                    .plan(checkpoint: checkpoint, lakeSchema: try await folder.lakeSchema(), ledger: try await folder.ledger())
                if let lakeSchema = plan.lakeSchema { try await folder.save(lakeSchema) }
                progress.discovered(plan)
                try progress.publish(.running)
                let seconds = (ContinuousClock.now - planning) / .seconds(1)
                logger.info("planned", metadata: ["steps": "\(plan.steps.count)", "files": "\(plan.steps.reduce(0) { $0 + $1.files.count })",
                                                  "seconds": "\((seconds * 1000).rounded() / 1000)", "manifestsRead": "\(plan.manifestsRead)"])
                try await pusher.checkTarget()
                let context = PipelineContext(
                    configuration: configuration, plan: plan, tableConfig: try await tableConfig(plan, pusher: pusher),
                    metrics: TaskMetrics(task: configuration.taskName), events: hub, gauges: gaugeBox, progress: progress,
                    deletes: DeleteLoader(io: plan.io, schema: plan.table?.currentSchema), workPath: folder.workPath)
                try await IngestionPipeline.run(context: context, pusher: pusher, folder: folder, checkpoint: checkpoint ?? TaskCheckpoint())
                try Task.checkCancellation()
                guard plan.truncated else { break }
                checkpoint = try await folder.checkpoint()
            }
            if let steps = try await folder.checkpoint()?.steps { try await folder.compactLedger(completedSteps: steps) }
            return finish(progress, error: nil)
        } catch {
            return finish(progress, error: error)
        }
    }

    /// The table config segments are built with: the controller's when it has one (raw
    /// columns, indexes, the time column), else the derived schema's time column.
    func tableConfig(_ plan: RunPlan, pusher: any SegmentPusher) async throws -> TableConfig {
        var table = TableConfig(tableName: configuration.table)
        table.dictionaryHeuristic = true
        table.timeColumn = plan.pinotSchema.fields.first { $0.role == .dateTime }?.name
        if let json = try await pusher.tableConfigJSON() {
            let (restricted, dropped) = try TableConfig.parse(json).restricted(to: plan.pinotSchema)
            table = restricted
            table.tableName = configuration.table
            if !dropped.isEmpty { logger.notice("the controller's table config names columns the table lacks", metadata: ["columns": "\(dropped)"]) }
            if table.timeColumn == nil { table.timeColumn = plan.pinotSchema.fields.first { $0.role == .dateTime }?.name }
            logger.info("building segments as the controller's table config says", metadata: ["raw": "\(table.noDictionaryColumns.sorted())"])
        }
        return table
    }

    func finish(_ progress: RunProgress, error: (any Error)?) -> TaskReport {
        let report = error.map(FailureReport.report)
        let state: TaskStatus.State = report == nil ? .completed : .failed
        let status: TaskStatus
        do {
            status = try progress.publish(state, error: report)
        } catch {
            status = progress.status(state, error: report)
            logger.error("cannot write the status file", metadata: ["error": "\(error)"])
        }
        if let report {
            var metadata: Logger.Metadata = ["category": "\(report.category)", "error": "\(report.message)"]
            if let error = error as? any LakeIngestError, error.cause != nil { metadata["causes"] = "\(error.detailedDescription)" }
            logger.error("run failed", metadata: metadata)
        } else {
            logger.info("run completed", metadata: ["segments": "\(status.segmentsPushed)", "rows": "\(status.rowsIngested)"])
        }
        hub.emit(.runFinished(status, paused: false))
        return TaskReport(status: status, paused: false)
    }

    func makePusher(io: FileIO) throws -> any SegmentPusher {
        switch configuration.push.mode {
        case .local:
            return LocalSegmentPusher(outputDir: configuration.push.outputDir)
        case .tar, .metadata:
            return try ControllerSegmentPusher(configuration: configuration, io: io)
        }
    }

}

extension IngestionTask {
    /// The task's checkpoint as its state holds it (nil before the first step completed).
    public func checkpoint() async throws -> TaskCheckpoint? {
        try await StateFolder.open(configuration).checkpoint()
    }

    /// The live segments the ledger names, with the files and rows each holds.
    public func ledger() async throws -> [LedgerEntry] {
        try await StateFolder.open(configuration).ledger()
    }
}
