import Synchronization

/// At most `limit` holders at once; the others wait, first come first served. The decode stage
/// uses it so that more row groups fetch their bytes (waiting on the network) than decode them
/// (using a core): latency is hidden without running more CPU work than there are cores.
///
/// Every `acquire` must be followed by one `release`, also when the holder fails or is cancelled;
/// ``withPermit(_:)`` does that. A waiter is not woken by its task's cancellation: it gets a
/// permit once the holders before it release theirs, then sees the cancellation itself.
public final class AsyncPermits: Sendable {
    /// The counting state, without concurrency: `acquire` answers whether a permit was free,
    /// `release` which waiter (if any) it goes to.
    struct State {
        var available: Int
        var waiters: [Int] = []
        var waiterHead = 0

        mutating func acquire(ticket: Int) -> Bool {
            if available > 0 && waiterHead == waiters.count {
                available -= 1
                return true
            }
            waiters.append(ticket)
            return false
        }

        /// The waiter the released permit passes to, or nil when it becomes free.
        mutating func release() -> Int? {
            guard waiterHead < waiters.count else {
                available += 1
                return nil
            }
            let next = waiters[waiterHead]
            waiterHead += 1
            if waiterHead == waiters.count {
                waiters.removeAll(keepingCapacity: true)
                waiterHead = 0
            }
            return next
        }
    }

    private struct Guarded {
        var state: State
        var nextTicket = 0
        var continuations: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let guarded: Mutex<Guarded>

    public init(_ limit: Int) {
        guarded = Mutex(Guarded(state: State(available: max(1, limit))))
    }

    public func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = guarded.withLock { guarded -> Bool in
                let ticket = guarded.nextTicket
                guarded.nextTicket += 1
                if guarded.state.acquire(ticket: ticket) { return true }
                guarded.continuations[ticket] = continuation
                return false
            }
            if granted { continuation.resume() }
        }
    }

    public func release() {
        let next = guarded.withLock { guarded -> CheckedContinuation<Void, Never>? in
            guard let ticket = guarded.state.release() else { return nil }
            return guarded.continuations.removeValue(forKey: ticket)
        }
        next?.resume()
    }

    /// Runs `body` holding a permit.
    public func withPermit<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }
}
