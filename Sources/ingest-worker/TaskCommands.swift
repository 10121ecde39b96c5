import ArgumentParser
import Engine
import Foundation
import Logging
import Service
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `ingest-worker run --config FILE [--watch] [--json]`
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Ingest the task's new snapshots into Pinot segments; exit 0 when the run completed.",
        discussion: "With --watch: run at once, then on the task's cron schedule (UTC) until SIGTERM or SIGINT; a paused task skips its runs.")

    @OptionGroup var options: ConfigOption

    @Flag(help: "Keep running: once at start, then on the configuration's schedule.")
    var watch = false

    @Flag(help: "Print one JSON event per line on standard output instead of a progress line.")
    var json = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: warning on a terminal, info otherwise).")
    var logLevel: String?

    @Option(help: "Run as one of N shards of the task (the state must be shared: stateDir on s3:// or a shared folder).")
    var shards: Int?

    @Option(help: "This shard's index, 0 to N-1 (default: JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job sets it).")
    var shard: Int?

    /// The shard to run, from the options and the environment; nil for the whole task.
    func shardIndex() throws -> (index: Int, count: Int)? {
        guard let shards else {
            if shard != nil { throw ValidationError("--shard needs --shards N") }
            return nil
        }
        guard shards >= 1 else { throw ValidationError("--shards must be at least 1, not \(shards)") }
        let environment = ProcessInfo.processInfo.environment["JOB_COMPLETION_INDEX"]
        guard let index = shard ?? environment.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw ValidationError(environment == nil
                ? "--shards \(shards) needs --shard I or the JOB_COMPLETION_INDEX environment variable (set by a Kubernetes Indexed Job)"
                : "JOB_COMPLETION_INDEX is \"\(environment ?? "")\", not a shard index")
        }
        guard (0..<shards).contains(index) else { throw ValidationError("shard \(index) is not one of 0 to \(shards - 1) (--shards \(shards))") }
        return (index, shards)
    }

    func validate() throws {
        if watch && shards != nil { throw ValidationError("--watch and --shards do not go together: a scheduler starts the shards of each run") }
        _ = try shardIndex()
        if let logLevel, Logger.Level(rawValue: logLevel.lowercased()) == nil {
            throw ValidationError("--log-level \(logLevel) is not a level: use trace, debug, info, notice, warning, error or critical")
        }
    }

    func run() async throws {
        try await reportingAnyError {
            let logger = Logs.bootstrap(level: logLevel)
            let configuration = try TaskConfiguration.load(path: options.config)
            let task = IngestionTask(configuration: configuration, logger: logger)
            let progress = ProgressPrinter(json: json)
            let stream = task.events()
            let events = Task { for await event in stream { progress.show(event) } }
            let outcome = Mutex<TaskReport?>(nil)
            let finished: @Sendable (TaskReport) -> Void = { report in
                outcome.withLock { $0 = report }
                progress.finished(report, stateDir: configuration.stateDir, disabled: !configuration.enabled)
            }
            // Watching is `serve` with one task and no HTTP: the same host and scheduler.
            let service: any Service = watch
                ? TaskHost(tasks: [task], failures: [], maxConcurrentRuns: 1, logger: logger) { _, report in report.map(finished) }
                : IngestionService(task: task, watch: false, shard: try shardIndex(), logger: logger, onReport: finished)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger))
            do {
                try await group.run()
            } catch {
                task.finishEvents()
                await events.value
                throw error
            }
            // Every event emitted so far is printed, the run's runFinished last, before the exit.
            task.finishEvents()
            await events.value
            let report = outcome.withLock { $0 }
            if let report, !report.paused, !report.completed { throw ExitCode(1) }
        }
    }
}

/// `ingest-worker status --config FILE [--json]`
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Print the task's status (stateDir/status.json).")

    @OptionGroup var options: ConfigOption

    @Flag(help: "Print status.json as it is.")
    var json = false

    func run() async throws {
        try await reportingAnyError {
            let configuration = try TaskConfiguration.load(path: options.config)
            let task = IngestionTask(configuration: configuration)
            let out = Output()
            guard let status = try await task.status() else {
                // Shards write status.json once a step completes; before, their parts say where they are.
                if !json, let step = try await task.shardedStep() {
                    Self.show(step, out)
                    return
                }
                printError("task \(configuration.taskName) has not run yet (no \(configuration.stateDir)/status.json)")
                throw ExitCode(1)
            }
            if json {
                out.write(status.jsonText())
                return
            }
            out.line(ProgressPrinter.summary(status))
            let paused = await task.isPaused()
            out.line("started \(status.startedAt)\(status.finishedAt.map { ", finished \($0)" } ?? "")\(paused ? "; the task is paused" : "")")
            for step in status.snapshots {
                var line = "  \(step.snapshotId.map { "snapshot \($0)" } ?? step.step): \(step.action)\(step.operation.map { " (\($0))" } ?? ""), "
                    + "\(step.files) files, \(step.segments) segments, \(step.rows) rows"
                var changes: [String] = []
                if step.filesRemoved > 0 { changes.append("\(step.filesRemoved) files removed") }
                if step.segmentsReplaced > 0 { changes.append("\(step.segmentsReplaced) segments replaced") }
                if step.rowsDeleted > 0 { changes.append("\(step.rowsDeleted) rows deleted by \(step.deleteFiles) delete files") }
                if !changes.isEmpty { line += "; " + changes.joined(separator: ", ") }
                out.line(line)
            }
            for skipped in status.skippedFiles { out.line("  skipped \(skipped.file): \(skipped.error.text)") }
            for row in status.droppedRows {
                out.line("  dropped row \(row.row) of \(row.file) (row group \(row.rowGroup)): \(row.reason) in \(row.column)\(row.value.map { " (\($0))" } ?? "")")
            }
            if status.rowsDropped > status.droppedRows.count { out.line("  … \(status.rowsDropped - status.droppedRows.count) more rows dropped") }
            for (column, count) in status.valuesCut.sorted(by: { $0.key < $1.key }) {
                out.line("  \(count) values of \(column) cut to its maxLength")
            }
            for note in status.notes { out.line("  note: \(note)") }
            if let step = try await task.shardedStep() { Self.show(step, out) }
        }
    }

    static func show(_ step: ShardedStepStatus, _ out: Output) {
        out.line("sharded step \(step.stepId) in progress, \(step.shards) shards:")
        for part in step.parts {
            out.line("  shard \(part.shard): \(part.done ? "done" : "\(part.groupsPushed) of \(part.groups) groups"), \(part.segmentsPushed) segments pushed")
        }
    }
}

/// `ingest-worker pause --config FILE`
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause the task: a running run finishes, later runs do nothing; segments and checkpoint are kept.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await reportingAnyError {
            let configuration = try TaskConfiguration.load(path: options.config)
            try await IngestionTask(configuration: configuration).pause()
            Output().line("task \(configuration.taskName) paused")
        }
    }
}

/// `ingest-worker resume --config FILE`
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused task; the next run continues from the checkpoint.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await reportingAnyError {
            let configuration = try TaskConfiguration.load(path: options.config)
            try await IngestionTask(configuration: configuration).resume()
            Output().line("task \(configuration.taskName) resumed\(configuration.enabled ? "" : " (but its configuration says \"enabled\": false)")")
        }
    }
}

enum Logs {
    private static let bootstrapped = Mutex(false)

    /// swift-log to standard error, at `level` (default: warning on a terminal, where the
    /// progress line shows what happens, info otherwise).
    static func bootstrap(level: String?) -> Logger {
        let parsed = level.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? (isatty(2) != 0 ? .warning : .info)
        bootstrapped.withLock { done in
            if !done { LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = parsed
                return handler
            } }
            done = true
        }
        var logger = Logger(label: "lakeingest")
        logger.logLevel = parsed
        return logger
    }
}

/// Progress on one updating line of standard error (on a terminal), or JSON events on standard
/// output; a summary line after each run.
final class ProgressPrinter: Sendable {
    private struct Counts {
        var files = 0, filesDone = 0, rows = 0, bytes = 0, segments = 0
        var started = ContinuousClock.now
        var lastDraw = ContinuousClock.now - .seconds(1)
    }

    private let json: Bool
    private let terminal: Bool
    private let counts = Mutex(Counts())

    init(json: Bool) {
        self.json = json
        terminal = isatty(2) != 0
    }

    func show(_ event: TaskEvent) {
        if json {
            let out = Output()
            out.line(event.jsonLine)
            return
        }
        let line: String? = counts.withLock { c in
            switch event {
            case .runStarted: c = Counts()
            case .filesDiscovered(_, _, let files, _): c.files += files
            case .rowGroupDecoded(_, _, let rows, let bytes):
                c.rows += rows
                c.bytes += bytes
            case .fileIngested, .fileSkipped: c.filesDone += 1
            case .segmentPushed: c.segments += 1
            default: break
            }
            let now = ContinuousClock.now
            guard terminal, now - c.lastDraw >= .milliseconds(100) else { return nil }
            c.lastDraw = now
            let elapsed = now - c.started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = seconds > 0 ? Double(c.bytes) / seconds / 1e6 : 0
            return "\r\u{1B}[Kfiles \(c.filesDone)/\(c.files)  rows \(c.rows)  \(String(format: "%.1f", rate)) MB/s  segments \(c.segments)  \(String(format: "%.1f", seconds))s"
        }
        if let line { printError(line, newline: false) }
    }

    /// - Parameter disabled: the configuration says `"enabled": false`.
    func finished(_ report: TaskReport, stateDir: String, disabled: Bool) {
        guard !json else { return }
        if terminal { printError("\r\u{1B}[K", newline: false) }
        if disabled {
            printError("the task is disabled in its configuration (\"enabled\": false): nothing done; set it to true to ingest")
            return
        }
        guard let status = report.status, !report.paused else {
            printError("the task is paused: nothing done (ingest-worker resume --config … to continue)")
            return
        }
        printError(Self.summary(status) + "  (\(stateDir.hasSuffix("/") ? stateDir : stateDir + "/")status.json)")
    }

    static func summary(_ status: TaskStatus) -> String {
        var text = status.filesDiscovered == 0 && status.state == .completed
            ? "\(status.state.rawValue): nothing new to ingest"
            : "\(status.state.rawValue): \(status.segmentsPushed) segments pushed (\(status.rowsIngested) rows) from \(status.filesIngested) of \(status.filesDiscovered) files"
        if let snapshot = status.lastIngestedSnapshotId { text += "; last ingested snapshot \(snapshot)" }
        if !status.skippedFiles.isEmpty { text += "; \(status.skippedFiles.count) files skipped" }
        if status.rowsDropped > 0 { text += "; \(status.rowsDropped) rows dropped" }
        if let error = status.error { text += "\n" + error.text }
        return text
    }
}
