import Foundation
import Synchronization

/// A task's lock on object storage (`stateDir/lock.json`): a lease with a holder and an expiry,
/// renewed while the run goes on. There is no process for the kernel to watch over S3, so a
/// dead worker's lock cannot be released for it: its lease expires instead, and the next worker
/// takes it over by compare-and-swap on the expired record.
struct LeaseRecord: Codable, Sendable, Equatable {
    /// Unique per acquisition: `<host>:<pid>:<random>`.
    var holder: String
    var pid: Int32
    var host: String
    /// Seconds since the epoch.
    var expiresAt: Double
    var acquiredAt: String

    /// What a worker that wants the lease does about the record it found (nil: none).
    enum Decision: Equatable {
        case create
        case takeOver
        case refuse(pid: Int32, host: String, secondsLeft: Int)
    }

    static func decide(_ found: LeaseRecord?, now: Double) -> Decision {
        guard let found else { return .create }
        guard found.expiresAt > now else { return .takeOver }
        return .refuse(pid: found.pid, host: found.host, secondsLeft: Int((found.expiresAt - now).rounded(.up)))
    }
}

/// The lease held by this worker; ``release()`` removes it, and a renewal task extends it every
/// third of its length. A renewal that finds another holder marks the lease lost (``isLost``);
/// that holder's checkpoint writes change the checkpoint's version, so this worker's next
/// checkpoint write fails its compare-and-swap instead of overwriting the new holder's state.
final class TaskLease: Sendable {
    static let name = "lock.json"
    private let store: any StateStore
    private let record: Mutex<(record: LeaseRecord, version: String, lost: Bool)>
    private let renewal: Mutex<Task<Void, Never>?> = Mutex(nil)
    let seconds: Double

    private init(store: any StateStore, record: LeaseRecord, version: String, seconds: Double) {
        self.store = store
        self.record = Mutex((record, version, false))
        self.seconds = seconds
    }

    /// - Throws: `.taskLocked` naming the holder and when its lease ends.
    static func acquire(_ store: any StateStore, taskName: String, seconds: Double = 60) async throws(EngineError) -> TaskLease {
        let host = ProcessInfo.processInfo.hostName
        let pid = getpid()
        for _ in 0..<4 {
            let now = Date().timeIntervalSince1970
            let found = try await store.read(name)
            let current = found.flatMap { try? JSONDecoder().decode(LeaseRecord.self, from: Data($0.bytes)) }
            let mine = LeaseRecord(holder: "\(host):\(pid):\(UInt32.random(in: 0...UInt32.max))", pid: pid, host: host,
                                   expiresAt: now + seconds, acquiredAt: Timestamps.now())
            let bytes = StateFolder.json(mine)
            let version: String?
            // A record that cannot be read holds nothing: it is taken over like an expired one.
            let decision: LeaseRecord.Decision = found == nil ? .create : current.map { LeaseRecord.decide($0, now: now) } ?? .takeOver
            switch decision {
            case .create:
                version = try await store.create(name, bytes)
            case .takeOver:
                version = try await store.replace(name, bytes, ifVersion: found?.version)
            case .refuse(let pid, let holderHost, let left):
                throw EngineError(.taskLocked,
                    "task \(taskName) is already being run by another worker (pid \(pid) on \(holderHost)); its lease on \(store.location)\(name) ends in \(left) s unless renewed")
            }
            if let version {
                let lease = TaskLease(store: store, record: mine, version: version, seconds: seconds)
                lease.startRenewal()
                return lease
            }
        }
        throw EngineError(.taskLocked, "task \(taskName): other workers keep taking the lease \(store.location)\(name)")
    }

    /// Whether a live worker holds the task, and the pid and host the lease names.
    static func probe(_ store: any StateStore) async -> (held: Bool, pid: String?) {
        guard let found = try? await store.read(name),
              let record = try? JSONDecoder().decode(LeaseRecord.self, from: Data(found.bytes)) else { return (false, nil) }
        return (record.expiresAt > Date().timeIntervalSince1970, "\(record.pid) on \(record.host)")
    }

    /// True once a renewal found the lease taken over by another worker.
    var isLost: Bool { record.withLock { $0.lost } }

    private func startRenewal() {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                guard let interval = self?.seconds else { return }
                try? await Task.sleep(for: .seconds(interval / 3))
                guard !Task.isCancelled, let self else { return }
                await self.renew()
                if self.isLost { return }
            }
        }
        renewal.withLock { $0 = task }
    }

    func renew() async {
        let (current, version) = record.withLock { ($0.record, $0.version) }
        var extended = current
        extended.expiresAt = Date().timeIntervalSince1970 + seconds
        // A failed request is retried at the next interval; only another holder loses the lease.
        guard let result = try? await store.replace(Self.name, StateFolder.json(extended), ifVersion: version) else {
            if let found = try? await store.read(Self.name),
               let holder = try? JSONDecoder().decode(LeaseRecord.self, from: Data(found.bytes)), holder.holder != current.holder {
                record.withLock { $0.lost = true }
            }
            return
        }
        record.withLock { $0 = (extended, result, false) }
    }

    /// Stops renewing and removes the lease while this worker still holds it.
    func release() async {
        renewal.withLock { $0?.cancel() }
        let mine = record.withLock { $0.record.holder }
        guard let found = try? await store.read(Self.name),
              let holder = try? JSONDecoder().decode(LeaseRecord.self, from: Data(found.bytes)), holder.holder == mine else { return }
        try? await store.remove(Self.name)
    }
}
