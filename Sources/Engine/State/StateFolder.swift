import Foundation
import Iceberg
import ObjectStore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A task's state (`stateDir`), the only place the engine keeps state: a local folder, or an
/// `s3://bucket/prefix/` that every shard of a task reaches (``StateStore``). It holds:
///
/// - `checkpoint.json`: the ``TaskCheckpoint``, replaced only after the pushes it records
///   succeeded, by compare-and-swap on the version this worker read (a worker that lost its
///   lease, or a shard that lost a race, cannot move it back);
/// - `files/<step>.json`: an S3 data lake step's ingested and removed files;
/// - `status.json`: the ``TaskStatus`` of the latest run (`shards/status-<i>.json` for shard i);
/// - `ledger/<step>/…`: the ledger, one object per pushed segment (which data files and row
///   groups it holds, its rows) and one per swap or relink, kept for every snapshot so that
///   later overwrite and delete snapshots can rebuild exactly the segments whose files they
///   touch (a folder written before keeps its `segments.jsonl` as the ledger's start);
/// - `steps/<step>/plan.json` and `shard-<i>.json`: a sharded step's plan and each shard's part;
/// - `task-state.json`: `enabled` (pause/resume), separate from the user's configuration;
/// - `task.json`: the task and source the state belongs to (``TaskOwner``);
/// - `lock` (a folder: flock, with the pid) or `lock.json` (object storage: a lease).
///
/// Sealed segments wait on local disk (``workPath``). Nothing here ever holds a secret.
public final class StateFolder: Sendable {
    let store: any StateStore
    /// Where sealed segments and sealing scratch wait to be pushed (always on local disk).
    public let workPath: String
    /// The status object this worker writes.
    let statusName: String
    /// The version of `checkpoint.json` this worker last read or wrote (nil: none existed).
    private let checkpointVersion = Mutex<String?>(nil)
    private let statusWriter: StatusWriter?

    /// The state in the local folder `path`.
    public convenience init(_ path: String) {
        self.init(store: LocalStateStore(path: path), workPath: path + "/work")
    }

    init(store: any StateStore, workPath: String, statusName: String = "status.json") {
        self.store = store
        self.workPath = workPath
        self.statusName = statusName
        statusWriter = store.isLocal ? nil : StatusWriter(store: store, name: statusName)
    }

    /// The task's state where its configuration puts it: `stateDir` as a folder, or an
    /// `s3://` prefix read and written with the `storage` credentials. A shard writes its own
    /// status and keeps its sealed segments apart from the other shards' on the same machine.
    public static func open(_ configuration: TaskConfiguration, shard: Int? = nil) throws -> StateFolder {
        let location = configuration.stateDir
        let statusName = shard.map { "shards/status-\($0).json" } ?? "status.json"
        guard location.hasPrefix("s3://") else {
            let work = shard.map { location + "/work-shard\($0)-\(getpid())" } ?? location + "/work"
            return StateFolder(store: LocalStateStore(path: location), workPath: work, statusName: statusName)
        }
        let (store, key) = try Connection(configuration).io.resolve(location.hasSuffix("/") ? location : location + "/")
        guard let s3 = store as? S3ObjectStore else {
            throw EngineError(.invalidConfiguration, "stateDir \(location) needs the storage credentials (source.storage) to be written")
        }
        let scratch = NSTemporaryDirectory() + "/lakeingest-" + StableHash.hex([location]) + "/work-\(shard.map(String.init) ?? "task")-\(getpid())"
        return StateFolder(store: ObjectStateStore(store: s3, prefix: key), workPath: scratch, statusName: statusName)
    }

    /// The folder or `s3://` prefix, for messages.
    public var location: String { store.location }

    public func create() throws(EngineError) {
        if let local = store as? LocalStateStore { try AtomicFile.makeFolder(local.path) }
        try AtomicFile.makeFolder(workPath)
    }

    /// Empties this worker's `work` folder, and removes those of shard workers that have ended
    /// (named by their pid): sealed tarballs and scratch a killed run left.
    func clearWork() {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: workPath)) ?? [] {
            try? fm.removeItem(atPath: workPath + "/" + name)
        }
        let parent = (workPath as NSString).deletingLastPathComponent
        for name in (try? fm.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix("work-") {
            guard let pid = name.split(separator: "-").last.flatMap({ Int32($0) }), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? fm.removeItem(atPath: parent + "/" + name) }
        }
    }

    // MARK: checkpoint

    /// The checkpoint, with an S3 data lake's ingested files rebuilt from each step's change.
    public func checkpoint() async throws(EngineError) -> TaskCheckpoint? {
        guard let object = try await store.read("checkpoint.json") else {
            checkpointVersion.withLock { $0 = nil }
            return nil
        }
        var checkpoint: TaskCheckpoint
        do {
            checkpoint = try JSONDecoder().decode(TaskCheckpoint.self, from: Data(object.bytes))
        } catch {
            throw EngineError(.stateCorrupt, "\(location)checkpoint.json is not a checkpoint this engine can read (\(Self.decodingProblem(error, in: Data(object.bytes)))): "
                + "move the state folder away to ingest the table from scratch", file: location + "checkpoint.json")
        }
        checkpointVersion.withLock { $0 = object.version }
        let completed = checkpoint.ordinal
        let changes = try await store.list("files/").filter { (LedgerReplay.ordinal(of: $0) ?? .max) < completed }
        if !changes.isEmpty {
            var ingested = checkpoint.ingestedFiles ?? [:]
            for (name, bytes) in try await readAll(changes) {
                guard let change = try? JSONDecoder().decode(TaskCheckpoint.FilesChange.self, from: Data(bytes)) else {
                    throw EngineError(.stateCorrupt, "\(location)\(name) is not a record of a step's files", file: location + name)
                }
                for path in change.removed { ingested[path] = nil }
                ingested.merge(change.added) { $1 }
            }
            checkpoint.ingestedFiles = ingested
        }
        return checkpoint
    }

    /// Replaces the checkpoint, only if it is still the version this worker read or wrote.
    /// - Throws: `.taskLocked` when another worker moved it in between.
    func save(_ checkpoint: TaskCheckpoint) async throws(EngineError) {
        if let change = checkpoint.filesChange {
            try await store.write("files/\(LedgerReplay.pad(checkpoint.ordinal - 1)).json", Self.json(change))
        }
        var stamped = checkpoint
        stamped.updatedAt = Timestamps.now()
        let bytes = Self.json(stamped)
        let expected = checkpointVersion.withLock { $0 }
        let written: String?
        if let local = store as? LocalStateStore {
            let hook = { FaultInjection.reached("checkpoint-write") }
            written = if let expected {
                try local.replaceNow("checkpoint.json", bytes, ifVersion: expected, beforeRename: hook)
            } else {
                try local.createNow("checkpoint.json", bytes, beforeLink: hook)
            }
        } else if let expected {
            written = try await store.replace("checkpoint.json", bytes, ifVersion: expected)
        } else {
            written = try await store.create("checkpoint.json", bytes)
        }
        guard let written else {
            throw EngineError(.taskLocked, "another worker moved the checkpoint \(location)checkpoint.json since this run read it: "
                + "this run stops here (what it pushed is recorded in the ledger; the next run carries on)", file: location + "checkpoint.json")
        }
        checkpointVersion.withLock { $0 = written }
    }

    /// Replaces the checkpoint if it is still `version` (a shard completing a step).
    /// - Returns: false when another worker moved it first.
    func save(_ checkpoint: TaskCheckpoint, ifVersion version: String?) async throws(EngineError) -> Bool {
        checkpointVersion.withLock { $0 = version }
        do {
            try await save(checkpoint)
            return true
        } catch let error where error.code == .taskLocked {
            return false
        }
    }

    /// The version of the checkpoint last read or written by this worker.
    var readCheckpointVersion: String? { checkpointVersion.withLock { $0 } }

    // MARK: status

    /// The latest run's status (`status.json`, or a shard's own).
    public func status(_ name: String? = nil) async throws(EngineError) -> TaskStatus? {
        let name = name ?? "status.json"
        guard let object = try await store.read(name) else { return nil }
        do {
            return try JSONDecoder().decode(TaskStatus.self, from: Data(object.bytes))
        } catch {
            throw EngineError(.stateCorrupt, "\(location)\(name) is not a status file (\(Self.decodingProblem(error, in: Data(object.bytes))))", file: location + name)
        }
    }

    /// Writes this worker's status; ``RunProgress`` is its one caller. On object storage the
    /// write happens in the background, the latest status replacing one not yet written
    /// (``flushStatus()`` waits for it).
    func save(_ status: TaskStatus) throws(EngineError) {
        let bytes = Array(status.jsonText().utf8)
        if let statusWriter {
            statusWriter.submit(bytes)
        } else if let local = store as? LocalStateStore {
            try AtomicFile.makeFolder(((local.location + statusName) as NSString).deletingLastPathComponent)
            try AtomicFile.write(bytes, to: local.location + statusName)
        }
    }

    /// Waits until the latest status is written (object storage).
    func flushStatus() async {
        await statusWriter?.flush()
    }

    // MARK: ledger

    /// Records a pushed segment under the step in progress (`ordinal`); a segment pushed again
    /// in that step replaces its object.
    func record(_ entry: LedgerEntry, ordinal: Int) async throws(EngineError) {
        try await store.write(LedgerReplay.segmentName(ordinal, entry.segment), Self.line(entry))
    }

    /// The ledger after a swap: the replaced segments' entries gone, the new ones added (a
    /// rerun that applies the same swap again writes the same object).
    func applySwap(removing replaced: [String], adding entries: [LedgerEntry], ordinal: Int) async throws(EngineError) {
        try await store.write(LedgerReplay.swapName(ordinal), Self.line(LedgerChange(removing: replaced, adding: entries)))
    }

    /// The ledger after a compaction (``Array/relinked(removed:added:)``).
    func relinkLedger(removed: Set<String>, added: [FileRowSpan], ordinal: Int) async throws(EngineError) {
        try await store.write(LedgerReplay.relinkName(ordinal), Self.line(LedgerChange(relinkRemoved: removed.sorted(), relinkAdded: added)))
    }

    /// Every live ledger entry, the last one of each segment name (in the order they were first pushed).
    public func ledger() async throws(EngineError) -> [LedgerEntry] {
        try await replayLedger().replay.entries
    }

    /// Changes after the newest base beyond which a completed step writes a new base.
    static let ledgerBaseInterval = 256

    /// Once more than ``ledgerBaseInterval`` changes of completed steps follow the newest base,
    /// writes the ledger as of the last of them as a new base, so that a run reads one object
    /// and the changes after it rather than every object since the task began. The changes
    /// stay: a reader that listed before the base was written still finds them.
    func compactLedger(completedSteps steps: Int) async throws(EngineError) {
        // The listing alone says whether a base is due; only then is the ledger read.
        let listed = try await store.list("ledger/").compactMap { name in LedgerReplay.ordinal(of: name).map { (name, $0) } }
            .filter { $0.1 < steps }
        let base = listed.filter { $0.0.hasSuffix("/~~base.json") }.map(\.1).max() ?? -1
        guard listed.filter({ $0.1 > base && !$0.0.hasSuffix("/~~base.json") }).count > Self.ledgerBaseInterval else { return }
        let (replay, changes) = try await replayLedger(through: steps - 1)
        guard let last = changes.last?.ordinal else { return }
        try await store.write(LedgerReplay.baseName(last), Self.line(replay.entries))
    }

    /// The ledger replayed up to the end of step `last`, from the newest base at or before it
    /// (or from the start), and the change objects read after that base.
    private func replayLedger(through last: Int = .max) async throws(EngineError) -> (replay: LedgerReplay, changes: [(name: String, ordinal: Int)]) {
        var replay = LedgerReplay()
        let listed = try await store.list("ledger/").map { (name: $0, ordinal: LedgerReplay.ordinal(of: $0) ?? 0) }
            .filter { $0.ordinal <= last }
            .sorted { ($0.ordinal, $0.name) < ($1.ordinal, $1.name) }
        let base = listed.last { $0.name.hasSuffix("/~~base.json") }
        if let base, let object = try await store.read(base.name) {
            guard let entries = try? JSONDecoder().decode([LedgerEntry].self, from: Data(object.bytes)) else {
                throw EngineError(.stateCorrupt, "\(location)\(base.name) is not a ledger base", file: location + base.name)
            }
            replay.reset(to: entries)
        } else if let legacy = try await store.read("segments.jsonl") {
            for line in legacy.bytes.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                // A line cut by a crash mid-append is ignored: its segment is pushed again on rerun.
                guard let entry = try? JSONDecoder().decode(LedgerEntry.self, from: Data(line)) else { continue }
                replay.add(entry)
            }
        }
        let changes = listed.filter { $0.ordinal > (base?.ordinal ?? -1) && !$0.name.hasSuffix("/~~base.json") }
        for (name, bytes) in try await readAll(changes.map(\.name)) {
            if name.hasSuffix("~swap.json") || name.hasSuffix("~relink.json") {
                guard let change = try? JSONDecoder().decode(LedgerChange.self, from: Data(bytes)) else {
                    throw EngineError(.stateCorrupt, "\(location)\(name) is not a ledger change", file: location + name)
                }
                replay.apply(change)
            } else if let entry = try? JSONDecoder().decode(LedgerEntry.self, from: Data(bytes)) {
                replay.add(entry)
            } else {
                throw EngineError(.stateCorrupt, "\(location)\(name) is not a ledger entry", file: location + name)
            }
        }
        return (replay, changes)
    }

    /// The objects' bytes in the order named (sixteen reads at a time on object storage).
    func readAll(_ names: [String]) async throws(EngineError) -> [(String, [UInt8])] {
        let store = self.store
        let width = store.isLocal ? 1 : 16
        var result: [(String, [UInt8])] = []
        result.reserveCapacity(names.count)
        var start = 0
        while start < names.count {
            let batch = Array(names[start..<min(start + width, names.count)])
            start += batch.count
            do {
                let read = try await withThrowingTaskGroup(of: (Int, [UInt8]?).self) { group in
                    for (index, name) in batch.enumerated() {
                        group.addTask { (index, try await store.read(name)?.bytes) }
                    }
                    var bytes = [[UInt8]?](repeating: nil, count: batch.count)
                    for try await (index, value) in group { bytes[index] = value }
                    return bytes
                }
                for (name, bytes) in zip(batch, read) {
                    // Removed between the listing and the read: nothing to replay.
                    if let bytes { result.append((name, bytes)) }
                }
            } catch let error as EngineError {
                throw error
            } catch {
                throw EngineError(.io, "cannot read the task state \(location): \(error)", underlying: error)
            }
        }
        return result
    }

    // MARK: data lake schema

    /// An S3 data lake's schema as the last run planned it; nil before the first run.
    func lakeSchema() async throws(EngineError) -> LakeSchemaUnion? {
        guard let object = try await store.read("lake-schema.json") else { return nil }
        do {
            return try JSONDecoder().decode(LakeSchemaUnion.self, from: Data(object.bytes))
        } catch {
            throw EngineError(.stateCorrupt, "\(location)lake-schema.json is not a data lake schema (\(Self.decodingProblem(error, in: Data(object.bytes)))): "
                + "remove it to read every file's footer again", file: location + "lake-schema.json")
        }
    }

    func save(_ lakeSchema: LakeSchemaUnion) async throws(EngineError) {
        try await store.write("lake-schema.json", Self.json(lakeSchema))
    }

    // MARK: pause and resume

    private struct TaskState: Codable {
        var enabled: Bool
        var updatedAt: String
    }

    /// False after `pause`, true after `resume` (and when never set).
    public func isEnabled() async -> Bool {
        guard let object = try? await store.read("task-state.json"),
              let state = try? JSONDecoder().decode(TaskState.self, from: Data(object.bytes)) else { return true }
        return state.enabled
    }

    public func setEnabled(_ enabled: Bool) async throws(EngineError) {
        try create()
        try await store.write("task-state.json", Self.json(TaskState(enabled: enabled, updatedAt: Timestamps.now())))
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

    /// One line of JSON, keys sorted.
    static func line<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8)) + [UInt8(ascii: "\n")]
    }
}
