/// One stored state object and the version a compare-and-swap names (an S3 ETag, or a local
/// file's content hash).
struct StateObject: Sendable, Equatable {
    var bytes: [UInt8]
    var version: String
}

/// Where a task's state lives (DESIGN.md, "Scaling out"): a local folder, or an `s3://` prefix
/// that every shard of a task reaches. Objects are named by relative paths (`checkpoint.json`,
/// `ledger/0000000003/seg-x.json`). Creation is conditional and updates are compare-and-swap,
/// so several workers can share the state without a coordinator: a write that lost to another
/// writer returns false, and the caller reads again and decides.
protocol StateStore: Sendable {
    /// The folder or the `s3://bucket/prefix/`, for messages.
    var location: String { get }
    /// Whether the state is on this machine's file system (a folder: the lock is `flock`).
    var isLocal: Bool { get }
    /// The object and its version; nil when there is none.
    func read(_ name: String) async throws(EngineError) -> StateObject?
    /// Creates `name` only when no object has that name.
    /// - Returns: the new version, or nil when an object existed (nothing was written).
    func create(_ name: String, _ bytes: [UInt8]) async throws(EngineError) -> String?
    /// Replaces `name` only while its version is `version` (`nil`: whatever is there, or nothing).
    /// - Returns: the new version, or nil when another writer changed or removed it.
    func replace(_ name: String, _ bytes: [UInt8], ifVersion version: String?) async throws(EngineError) -> String?
    /// The names under `prefix` (a folder-like prefix ending in `/`), sorted.
    func list(_ prefix: String) async throws(EngineError) -> [String]
    /// Removes `name`; nothing when it does not exist.
    func remove(_ name: String) async throws(EngineError)
}

extension StateStore {
    /// Writes `name` whatever is there.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) async throws(EngineError) -> String {
        guard let version = try await replace(name, bytes, ifVersion: nil) else {
            throw EngineError(.io, "cannot write \(location)\(name)", file: location + name)
        }
        return version
    }
}
