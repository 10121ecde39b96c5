import BoundedWork
import Synchronization
import Testing

@Suite("ordered window: the state machine")
struct OrderedWindowTests {
    @Test("admits up to the limit, then waits for a completion")
    func limit() {
        var window = OrderedWindow<Int>(limit: 2, lookahead: 4)
        #expect(window.admit() == .start(index: 0))
        #expect(window.admit() == .start(index: 1))
        #expect(window.admit() == .waitForCompletion)
        #expect(window.complete(0, with: 10) == [10])
        #expect(window.admit() == .start(index: 2))
        #expect(window.running == 2 && window.released == 1)
    }

    @Test("the lookahead bounds results held back behind a slow job")
    func lookahead() {
        var window = OrderedWindow<String>(limit: 2, lookahead: 3)
        #expect(window.admit() == .start(index: 0))
        #expect(window.admit() == .start(index: 1))
        #expect(window.complete(1, with: "b") == [])
        #expect(window.waiting == 1)
        #expect(window.admit() == .start(index: 2))
        #expect(window.complete(2, with: "c") == [])
        #expect(window.running == 1)
        #expect(window.admit() == .waitForCompletion, "three admitted and unreleased: the lookahead, not the limit, holds")
        #expect(window.complete(0, with: "a") == ["a", "b", "c"])
        #expect(window.isIdle)
        #expect(window.admit() == .start(index: 3))
    }

    @Test("passed inputs keep their place between jobs")
    func passes() {
        var window = OrderedWindow<String>(limit: 1, lookahead: 4)
        #expect(window.pass("start") == ["start"])
        #expect(window.admit() == .start(index: 1))
        #expect(window.pass("marker") == [], "held behind the running job")
        #expect(window.complete(1, with: "job") == ["job", "marker"])
        #expect(window.issued == 3 && window.released == 3)

        var full = OrderedWindow<String>(limit: 1, lookahead: 1)
        #expect(full.admit() == .start(index: 0))
        #expect(full.pass("marker") == nil, "the lookahead holds passes too")
        #expect(full.complete(0, with: "job") == ["job"])
        #expect(full.pass("marker") == ["marker"])
    }

    @Test("limit and lookahead below 1, or a lookahead below the limit, are raised")
    func bounds() {
        let window = OrderedWindow<Int>(limit: 0, lookahead: 0)
        #expect(window.limit == 1 && window.lookahead == 1)
        #expect(OrderedWindow<Int>(limit: 3, lookahead: 1).lookahead == 3)
    }

    /// Every interleaving of admissions and completions of a short input (jobs and passes),
    /// for every small limit and lookahead: results come out in input order, each once, and
    /// the bounds hold after every transition.
    @Test("every interleaving releases in order within the bounds", arguments: [(1, 1), (1, 2), (2, 2), (2, 3), (3, 5)])
    func exhaustive(limit: Int, lookahead: Int) {
        let inputs: [Bool] = [true, false, true, true, false, true]  // true: a job, false: a pass
        var explored = 0
        func explore(_ window: OrderedWindow<Int>, next: Int, running: [Int], out: [Int]) {
            #expect(window.running <= limit)
            #expect(window.issued - window.released <= max(limit, lookahead))
            #expect(window.waiting + window.running == window.issued - window.released)
            #expect(out == Array(0..<out.count), "released in input order")
            if next == inputs.count && running.isEmpty {
                #expect(out == Array(0..<inputs.count))
                #expect(window.isIdle)
                explored += 1
                return
            }
            if next < inputs.count {
                var copy = window
                if inputs[next] {
                    if case .start(let index) = copy.admit() {
                        #expect(index == next)
                        explore(copy, next: next + 1, running: running + [index], out: out)
                    } else {
                        #expect(!running.isEmpty, "a wait needs something to wait for")
                    }
                } else if let released = copy.pass(next) {
                    explore(copy, next: next + 1, running: running, out: out + released)
                } else {
                    #expect(!running.isEmpty, "a wait needs something to wait for")
                }
            }
            for (position, index) in running.enumerated() {
                var copy = window
                var rest = running
                rest.remove(at: position)
                let released = copy.complete(index, with: index)
                explore(copy, next: next, running: rest, out: out + released)
            }
        }
        explore(OrderedWindow(limit: limit, lookahead: lookahead), next: 0, running: [], out: [])
        #expect(explored > 0)
    }
}

@Suite("ordered window: the task-group driver")
struct OrderedWindowDriverTests {
    struct Failure: Error {}

    @Test("results in input order while jobs finish out of order, never more than the limit at once")
    func order() async throws {
        let active = Mutex((now: 0, peak: 0))
        let results = try await OrderedWindow<Int>.map(Array(0..<40), limit: 3) { value in
            active.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            try await Task.sleep(for: .milliseconds((value * 7) % 5))
            active.withLock { $0.now -= 1 }
            return value * value
        }
        #expect(results == (0..<40).map { $0 * $0 })
        #expect(active.withLock { $0.peak } <= 3)
    }

    @Test("passes are released among the jobs, and a failing job's error ends the run")
    func passesAndFailure() async throws {
        var inputs: [WindowInput<Int, String>] = [.pass("a"), .job(1), .pass("b"), .job(2), .job(3)]
        var released: [String] = []
        try await OrderedWindow<String>.run(limit: 2, lookahead: 4, next: { inputs.isEmpty ? nil : inputs.removeFirst() },
                                            perform: { "job\($0)" }, release: { released.append($0) })
        #expect(released == ["a", "job1", "b", "job2", "job3"])

        await #expect(throws: Failure.self) {
            _ = try await OrderedWindow<Int>.map(Array(0..<10), limit: 2) { value in
                if value == 4 { throw Failure() }
                return value
            }
        }
    }
}
