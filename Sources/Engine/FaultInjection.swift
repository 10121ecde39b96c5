import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Named points of a run where the exactly-once tests stop the worker as `kill -9` would:
/// `LAKEINGEST_FAULT_KILL_AT=point` (or `point:N`, the N-th time it is reached) sends SIGKILL to
/// the process itself there; `LAKEINGEST_FAULT_SLOW_AT=point:ms` sleeps that long there each
/// time. Unset (always, outside tests), they cost one dictionary lookup.
///
/// Points: `after-discovery`, `decoded` (after a row group is decoded), `appended` (after a batch
/// went into a segment), `sealed`, `pushed` (after a push, before the ledger and checkpoint),
/// `checkpoint-write` (the new checkpoint is durable but not yet renamed into place), `checkpointed`;
/// in a swap `swap-started` (the target began it and the checkpoint records it), `swap-pushed`
/// (every new segment is on the target), `swap-ended` (the target completed it; the ledger and
/// checkpoint not yet moved).
public enum FaultInjection {
    private static let kill: (point: String, count: Int)? = parse(ProcessInfo.processInfo.environment["LAKEINGEST_FAULT_KILL_AT"])
    private static let slow: (point: String, count: Int)? = parse(ProcessInfo.processInfo.environment["LAKEINGEST_FAULT_SLOW_AT"])
    private static let hits = Mutex<[String: Int]>([:])

    private static func parse(_ text: String?) -> (String, Int)? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: ":")
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 1 : 1)
    }

    /// Stops the process here when the kill point says so.
    public static func reached(_ point: String) {
        guard let kill, kill.point == point else { return }
        let count = hits.withLock { hits in
            hits[point, default: 0] += 1
            return hits[point]!
        }
        if count == kill.count { Glibc.kill(getpid(), SIGKILL) }
    }

    /// Sleeps here when the slow point says so.
    public static func delay(_ point: String) async {
        guard let slow, slow.point == point else { return }
        try? await Task.sleep(for: .milliseconds(slow.count))
    }
}
