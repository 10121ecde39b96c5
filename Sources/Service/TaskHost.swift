import Engine
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// The tasks of `serve --tasks DIR` in one process: every `*.json` configuration in the folder
/// loaded (one that does not load is kept as a failure, reported by the page and `/readyz`, and
/// the others run), each run once at start and then on its cron schedule, at most
/// `maxConcurrentRuns` at once (``TaskScheduler``), and a run started on request (`trigger`).
/// On graceful shutdown (SIGTERM) no run starts; the runs in progress are cancelled, which lets
/// the push under way finish and be checkpointed, and the host returns once they have.
public final class TaskHost: Service, Sendable {
    /// A configuration file that did not load.
    public struct LoadFailure: Sendable, Equatable {
        public var file: String
        public var message: String
    }

    /// When a task's latest run in this process started and ended.
    public struct RunTimes: Sendable, Equatable {
        public var startedAt: Date
        public var endedAt: Date?
    }

    /// The tasks by name, in file order.
    public let tasks: [(name: String, task: IngestionTask)]
    public let failures: [LoadFailure]
    private let scheduler: Mutex<TaskScheduler>
    private let runTimes = Mutex<[String: RunTimes]>([:])
    private let running = Mutex<[String: Task<Void, Never>]>([:])
    private let changeCount = Atomic<Int>(0)
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let logger: Logger
    private let onRunEnded: @Sendable (String, TaskReport?) -> Void

    /// - Parameter onRunEnded: called after every run with the task's name and the run's report.
    public init(tasks: [IngestionTask], failures: [LoadFailure], maxConcurrentRuns: Int, logger: Logger,
                onRunEnded: @escaping @Sendable (String, TaskReport?) -> Void = { _, _ in }) {
        self.onRunEnded = onRunEnded
        self.tasks = tasks.map { ($0.configuration.taskName, $0) }
        self.failures = failures
        var scheduler = TaskScheduler(maxConcurrent: maxConcurrentRuns)
        let now = Date()
        for task in tasks { scheduler.add(task.configuration.taskName, schedule: task.configuration.schedule, now: now) }
        self.scheduler = Mutex(scheduler)
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.logger = logger
    }

    /// Loads every `*.json` in `folder` (sorted by name). Two files naming one task keep the first.
    public static func load(folder: String, maxConcurrentRuns: Int, logger: Logger) throws -> TaskHost {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw EngineError(.invalidConfiguration, "cannot read the task folder \(folder): \(error.localizedDescription)")
        }
        var tasks: [IngestionTask] = []
        var failures: [LoadFailure] = []
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            do {
                let configuration = try TaskConfiguration.load(path: path)
                if tasks.contains(where: { $0.configuration.taskName == configuration.taskName }) {
                    failures.append(LoadFailure(file: name, message: "another file already defines task \(configuration.taskName)"))
                    continue
                }
                var taskLogger = logger
                taskLogger[metadataKey: "file"] = .string(name)
                tasks.append(IngestionTask(configuration: configuration, logger: taskLogger))
            } catch {
                failures.append(LoadFailure(file: name, message: error.message))
            }
        }
        return TaskHost(tasks: tasks, failures: failures, maxConcurrentRuns: maxConcurrentRuns, logger: logger)
    }

    public func task(named name: String) -> IngestionTask? { tasks.first { $0.name == name }?.task }

    public func isRunning(_ name: String) -> Bool { scheduler.withLock { $0.isRunning(name) } }
    public func nextRunAt(_ name: String) -> Date? { scheduler.withLock { $0.nextRunAt(name) } }
    public func runTimes(_ name: String) -> RunTimes? { runTimes.withLock { $0[name] } }

    /// How many times this process changed a task: a run started or ended, a trigger was
    /// accepted, a task was paused or resumed. An answer made at one count is stale at the next.
    public var changes: Int { changeCount.load(ordering: .acquiring) }

    /// Counts a change made outside the host (a pause or resume).
    public func noteChange() { changeCount.add(1, ordering: .releasing) }

    /// Asks for a run of `name` now.
    public func trigger(_ name: String) -> TaskScheduler.TriggerAnswer {
        let answer = scheduler.withLock { $0.trigger(name, now: Date()) }
        if answer == .accepted {
            noteChange()
            wake.yield()
        }
        return answer
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await schedule()
        } onGracefulShutdown: {
            self.wake.finish()
        }
        // No run starts any more; those under way stop after the push in flight.
        let inFlight = running.withLock { $0 }
        for (_, run) in inFlight { run.cancel() }
        for (_, run) in inFlight { await run.value }
    }

    private func schedule() async {
        let timer = Mutex<Task<Void, Never>?>(nil)
        defer { timer.withLock { $0?.cancel() } }
        var iterator = wakes.makeAsyncIterator()
        repeat {
            guard !Task.isShuttingDownGracefully else { return }
            for name in scheduler.withLock({ $0.due(now: Date()) }) { start(name) }
            let next = scheduler.withLock { $0.nextWake() }
            timer.withLock { current in
                current?.cancel()
                current = next.map { next in
                    Task { [wake] in
                        try? await Task.sleep(for: .seconds(max(0, next.timeIntervalSinceNow) + 0.01))
                        if !Task.isCancelled { wake.yield() }
                    }
                }
            }
        } while await iterator.next() != nil
    }

    private func start(_ name: String) {
        guard let task = task(named: name) else { return }
        let started = Date()
        runTimes.withLock { $0[name] = RunTimes(startedAt: started) }
        Gauge(label: "lakeingest_task_running", dimensions: [("task", name)]).record(1)
        noteChange()
        let run = Task { [self] in
            let report = try? await task.run()
            let ended = Date()
            runTimes.withLock { $0[name]?.endedAt = ended }
            let outcome = report.map { $0.paused ? "paused" : $0.completed ? "completed" : "failed" } ?? "failed"
            Counter(label: "lakeingest_runs_total", dimensions: [("task", name), ("outcome", outcome)]).increment()
            Metrics.Timer(label: "lakeingest_run_duration_seconds", dimensions: [("task", name)]).recordInterval(since: started)
            if outcome == "completed" {
                Gauge(label: "lakeingest_last_success_timestamp_seconds", dimensions: [("task", name)]).record(ended.timeIntervalSince1970)
            }
            Gauge(label: "lakeingest_task_running", dimensions: [("task", name)]).record(0)
            // The state the last run left, one series per state, 1 for the current one.
            let state = report?.paused == true ? "PAUSED" : report?.status?.state.rawValue ?? "FAILED"
            for candidate in ["COMPLETED", "FAILED", "PAUSED"] {
                Gauge(label: "lakeingest_task_state", dimensions: [("task", name), ("state", candidate)]).record(candidate == state ? 1 : 0)
            }
            logger.info("run ended", metadata: ["task": "\(name)", "outcome": "\(outcome)"])
            onRunEnded(name, report)
            running.withLock { $0[name] = nil }
            scheduler.withLock { $0.finished(name, now: ended) }
            noteChange()
            wake.yield()
        }
        running.withLock { $0[name] = run }
    }
}

extension Metrics.Timer {
    func recordInterval(since start: Date) {
        recordNanoseconds(Int64(Date().timeIntervalSince(start) * 1e9))
    }
}
