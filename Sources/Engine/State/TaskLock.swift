import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The task's lock: an exclusive `flock` on `stateDir/lock`, which holds the owner's pid. The
/// kernel releases it when the process ends however it ends, so a killed worker never leaves a
/// stale lock; a second worker on the same task fails at once naming the holder.
final class TaskLock: @unchecked Sendable {
    private var descriptor: Int32

    /// - Throws: `.taskLocked` naming the pid of the worker that holds it.
    init(folder: String, taskName: String) throws(EngineError) {
        try AtomicFile.makeFolder(folder)
        let lockPath = folder + "/lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFile.error("cannot open", lockPath) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
            throw EngineError(.taskLocked,
                "task \(taskName) is already being run by another worker (pid \(holder)); its state folder \(folder) is locked until that worker ends")
        }
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    /// Whether a worker holds the task now, without taking the lock from it; and the pid the
    /// lock file names (the holder's, or the last holder's).
    static func probe(folder: String) -> (held: Bool, pid: String?) {
        let fd = open(folder + "/lock", O_RDONLY | O_CLOEXEC)
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

/// The lock a run holds on its task: the folder's `flock`, or the lease on object storage.
enum HeldLock: Sendable {
    case folder(TaskLock)
    case lease(TaskLease)

    /// Takes the task's lock in `folder`.
    /// - Throws: `.taskLocked` naming the holder.
    static func acquire(_ folder: StateFolder, taskName: String) async throws(EngineError) -> HeldLock {
        if let local = folder.store as? LocalStateStore {
            try folder.create()
            return .folder(try TaskLock(folder: local.path, taskName: taskName))
        }
        try folder.create()
        return .lease(try await TaskLease.acquire(folder.store, taskName: taskName))
    }

    /// Whether a live worker holds the task, and the pid (and host) the lock names.
    static func probe(_ folder: StateFolder) async -> (held: Bool, pid: String?) {
        if let local = folder.store as? LocalStateStore { return TaskLock.probe(folder: local.path) }
        return await TaskLease.probe(folder.store)
    }

    func release() async {
        switch self {
        case .folder(let lock): lock.release()
        case .lease(let lease): await lease.release()
        }
    }
}
