@testable import BoundedWork
import Synchronization
import Testing

/// The permits that bound the decode stage's CPU work: the counting machine without
/// concurrency, then tasks that must never exceed the limit and must all finish.
@Suite("bounded work: async permits")
struct AsyncPermitsTests {
    @Test("the machine: free permits first, then waiters in arrival order, a release passing its permit to the first")
    func machine() {
        var state = AsyncPermits.State(available: 2)
        let granted = [state.acquire(ticket: 0), state.acquire(ticket: 1), state.acquire(ticket: 2), state.acquire(ticket: 3)]
        #expect(granted == [true, true, false, false])
        let first = state.release()
        let newcomer = state.acquire(ticket: 4)
        #expect(first == 2)
        #expect(!newcomer, "a newcomer waits behind the waiters even as permits pass")
        let passed = [state.release(), state.release(), state.release()]
        #expect(passed == [3, 4, nil] && state.available == 1)
        let again = state.acquire(ticket: 5)
        let freed = [state.release(), state.release()]
        #expect(again && freed == [nil, nil] && state.available == 2)
    }

    @Test("tasks holding permits: never more than the limit at once, and every one gets its turn")
    func limit() async {
        final class Counts: Sendable {
            let holding = Atomic<Int>(0)
            let most = Atomic<Int>(0)
            let done = Atomic<Int>(0)
        }
        let permits = AsyncPermits(3)
        let counts = Counts()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    await permits.withPermit {
                        let now = counts.holding.add(1, ordering: .relaxed).newValue
                        counts.most.max(now, ordering: .relaxed)
                        try? await Task.sleep(for: .milliseconds(2))
                        counts.holding.subtract(1, ordering: .relaxed)
                        counts.done.add(1, ordering: .relaxed)
                    }
                }
            }
        }
        #expect(counts.done.load(ordering: .relaxed) == 40)
        #expect(counts.most.load(ordering: .relaxed) == 3)
    }
}
