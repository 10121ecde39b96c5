import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A task's state folder (`stateDir`), the only place the engine keeps state:
///
/// - `checkpoint.json`: the ``TaskCheckpoint``, replaced atomically, only after the pushes it
///   records succeeded;
/// - `status.json`: the ``TaskStatus`` of the latest run;
/// - `segments.jsonl`: the ledger, one line per pushed segment (which data files and row groups
///   it holds, its rows), kept for every snapshot so that later overwrite and delete snapshots can
///   rebuild exactly the segments whose files they touch; a segment pushed again appends a line
///   again (the last line of a name wins);
/// - `task-state.json`: `enabled` (pause/resume), separate from the user's configuration;
/// - `task.json`: the task and source the folder belongs to (``TaskOwner``);
/// - `lock`: held (flock) by the worker running the task, with its pid;
/// - `work/`: sealed segments waiting to be pushed and sealing scratch.
///
/// Nothing here ever holds a secret.
public struct StateFolder: Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    var checkpointPath: String { path + "/checkpoint.json" }
    var statusPath: String { path + "/status.json" }
    var ledgerPath: String { path + "/segments.jsonl" }
    var taskStatePath: String { path + "/task-state.json" }
    var lakeSchemaPath: String { path + "/lake-schema.json" }
    var lockPath: String { path + "/lock" }
    public var workPath: String { path + "/work" }

    public func create() throws(EngineError) {
        try AtomicFile.makeFolder(path)
        try AtomicFile.makeFolder(workPath)
    }

    // MARK: checkpoint

    public func checkpoint() throws(EngineError) -> TaskCheckpoint? {
        guard let data = FileManager.default.contents(atPath: checkpointPath) else { return nil }
        do {
            return try JSONDecoder().decode(TaskCheckpoint.self, from: data)
        } catch {
            throw EngineError(.stateCorrupt, "\(checkpointPath) is not a checkpoint this engine can read (\(Self.decodingProblem(error, in: data))): "
                + "move the state folder away to ingest the table from scratch", file: checkpointPath)
        }
    }

    /// Replaces the checkpoint (temporary file, fsync, rename, fsync of the folder).
    func save(_ checkpoint: TaskCheckpoint) throws(EngineError) {
        var stamped = checkpoint
        stamped.updatedAt = Timestamps.now()
        try AtomicFile.write(Self.json(stamped), to: checkpointPath, beforeRename: { FaultInjection.reached("checkpoint-write") })
    }

    // MARK: status

    public func status() throws(EngineError) -> TaskStatus? {
        guard let data = FileManager.default.contents(atPath: statusPath) else { return nil }
        do {
            return try JSONDecoder().decode(TaskStatus.self, from: data)
        } catch {
            throw EngineError(.stateCorrupt, "\(statusPath) is not a status file (\(Self.decodingProblem(error, in: data)))", file: statusPath)
        }
    }

    /// Writes `status.json`; ``RunProgress`` is its one caller.
    func save(_ status: TaskStatus) throws(EngineError) {
        try AtomicFile.write(Array(status.jsonText().utf8), to: statusPath)
    }

    // MARK: ledger

    /// Records a pushed segment: appended, or — `replacing` an entry of the same name that an
    /// interrupted run recorded — written in that entry's place, so the ledger holds one line
    /// per segment (the file is then rewritten atomically).
    func record(_ entry: LedgerEntry, replacing: Bool = false) throws(EngineError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(entry) else { throw EngineError(.io, "cannot encode a ledger entry") }
        let line = String(decoding: data, as: UTF8.self)
        guard replacing, let existing = FileManager.default.contents(atPath: ledgerPath) else {
            try AtomicFile.append(line: line, to: ledgerPath)
            return
        }
        var lines: [String] = []
        var placed = false
        for old in existing.split(separator: UInt8(ascii: "\n")) where !old.isEmpty {
            guard let recorded = try? JSONDecoder().decode(LedgerEntry.self, from: Data(old)) else { continue }
            guard recorded.segment == entry.segment else {
                lines.append(String(decoding: old, as: UTF8.self))
                continue
            }
            if !placed { lines.append(line) }
            placed = true
        }
        if !placed { lines.append(line) }
        try AtomicFile.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: ledgerPath)
    }

    /// The ledger after a swap: the replaced segments' entries gone, the new ones added (the
    /// file is rewritten atomically; a rerun that applies the same swap again changes nothing).
    func applySwap(removing replaced: [String], adding entries: [LedgerEntry]) throws(EngineError) {
        let gone = Set(replaced).union(entries.map(\.segment))
        try rewriteLedger(try ledger().filter { !gone.contains($0.segment) } + entries)
    }

    /// The ledger after a compaction (``Array/relinked(removed:added:)``).
    func relinkLedger(removed: Set<String>, added: [FileRowSpan]) throws(EngineError) {
        try rewriteLedger(try ledger().relinked(removed: removed, added: added))
    }

    private func rewriteLedger(_ entries: [LedgerEntry]) throws(EngineError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = ""
        for entry in entries {
            guard let data = try? encoder.encode(entry) else { throw EngineError(.io, "cannot encode a ledger entry") }
            text += String(decoding: data, as: UTF8.self) + "\n"
        }
        try AtomicFile.write(Array(text.utf8), to: ledgerPath)
    }

    /// Every ledger entry, the last one of each segment name (in the order they were first pushed).
    public func ledger() throws(EngineError) -> [LedgerEntry] {
        guard let data = FileManager.default.contents(atPath: ledgerPath) else { return [] }
        var order: [String] = []
        var latest: [String: LedgerEntry] = [:]
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            // A line cut by a crash mid-append is ignored: its segment is pushed again on rerun.
            guard let entry = try? JSONDecoder().decode(LedgerEntry.self, from: Data(line)) else { continue }
            if latest[entry.segment] == nil { order.append(entry.segment) }
            latest[entry.segment] = entry
        }
        return order.compactMap { latest[$0] }
    }

    // MARK: data lake schema

    /// An S3 data lake's schema as the last run planned it; nil before the first run.
    func lakeSchema() throws(EngineError) -> LakeSchemaUnion? {
        guard let data = FileManager.default.contents(atPath: lakeSchemaPath) else { return nil }
        do {
            return try JSONDecoder().decode(LakeSchemaUnion.self, from: data)
        } catch {
            throw EngineError(.stateCorrupt, "\(lakeSchemaPath) is not a data lake schema (\(Self.decodingProblem(error, in: data))): "
                + "remove it to read every file's footer again", file: lakeSchemaPath)
        }
    }

    func save(_ lakeSchema: LakeSchemaUnion) throws(EngineError) {
        try AtomicFile.write(Self.json(lakeSchema), to: lakeSchemaPath)
    }

    // MARK: pause and resume

    private struct TaskState: Codable {
        var enabled: Bool
        var updatedAt: String
    }

    /// False after `pause`, true after `resume` (and when never set).
    public func isEnabled() -> Bool {
        guard let data = FileManager.default.contents(atPath: taskStatePath),
              let state = try? JSONDecoder().decode(TaskState.self, from: data) else { return true }
        return state.enabled
    }

    public func setEnabled(_ enabled: Bool) throws(EngineError) {
        try create()
        try AtomicFile.write(Self.json(TaskState(enabled: enabled, updatedAt: Timestamps.now())), to: taskStatePath)
    }

    /// What a JSON decoder found wrong, in a plain sentence: the JSON's own fault with its line
    /// and column, a missing key, or a value of the wrong type, named by its path.
    static func decodingProblem(_ error: any Error, in data: Data) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "the key \"\(path(context.codingPath + [key]))\" is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "\"\(path(context.codingPath))\" holds a value of the wrong type"
        case .dataCorrupted(let context)?:
            if let underlying = context.underlyingError { return JSONErrorText.describe(underlying, in: data) }
            return context.codingPath.isEmpty ? "it is not JSON" : "\"\(path(context.codingPath))\" holds a value that cannot be read"
        default:
            return "it cannot be read"
        }
    }

    static func json<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8)) + [UInt8(ascii: "\n")]
    }
}

/// The task's lock: an exclusive `flock` on `stateDir/lock`, which holds the owner's pid. The
/// kernel releases it when the process ends however it ends, so a killed worker never leaves a
/// stale lock; a second worker on the same task fails at once naming the holder.
final class TaskLock: @unchecked Sendable {
    private var descriptor: Int32

    /// - Throws: `.taskLocked` naming the pid of the worker that holds it.
    init(_ folder: StateFolder, taskName: String) throws(EngineError) {
        try folder.create()
        let fd = open(folder.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFile.error("cannot open", folder.lockPath) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
            throw EngineError(.taskLocked,
                "task \(taskName) is already being run by another worker (pid \(holder)); its state folder \(folder.path) is locked until that worker ends")
        }
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    /// Whether a worker holds the task now, without taking the lock from it; and the pid the
    /// lock file names (the holder's, or the last holder's).
    static func probe(_ folder: StateFolder) -> (held: Bool, pid: String?) {
        let fd = open(folder.lockPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return (false, nil) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = pread(fd, &buffer, buffer.count, 0)
        let pid = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
        // A shared lock is refused while a worker holds the exclusive one.
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return (true, pid) }
        flock(fd, LOCK_UN)
        return (false, pid.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Releases the lock (also when the lock is deinitialised).
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
