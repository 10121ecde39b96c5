/// Bounded work in flight, results released in input order: the decisions of every bounded
/// task-group loop in the engine (footers read ahead, row groups decoded ahead, columns appended
/// and built at once, manifests and footers fetched while planning), as a pure state machine.
///
/// Each input takes the next index. A job is admitted while fewer than `limit` jobs run and
/// fewer than `lookahead` inputs are admitted but not yet released (running, or finished and
/// waiting for an earlier one); anything else must wait for a completion. An input that needs
/// no work (a marker) is passed: within the same lookahead it takes an index, is finished at
/// once, and is released in its turn. Releases come in index order, so a slow job holds back the results behind it, and the
/// lookahead bounds how many of those can pile up.
///
/// The machine does no I/O and knows nothing of tasks: ``OrderedWindow/run(limit:lookahead:next:perform:release:)``
/// drives it with a task group.
public struct OrderedWindow<Result> {
    /// What the driver may do with the next job.
    public enum Admission: Equatable, Sendable {
        /// Start it under this index.
        case start(index: Int)
        /// Wait for a running job to complete first.
        case waitForCompletion
    }

    public let limit: Int
    public let lookahead: Int
    /// Indices handed out so far.
    public private(set) var issued = 0
    /// Indices released so far (every index below this one).
    public private(set) var released = 0
    /// Jobs started and not yet completed.
    public private(set) var running = 0
    private var finished: [Int: Result] = [:]

    /// - Parameters:
    ///   - limit: jobs running at once (at least 1).
    ///   - lookahead: inputs admitted and not yet released (at least `limit`).
    public init(limit: Int, lookahead: Int) {
        self.limit = max(1, limit)
        self.lookahead = max(self.limit, lookahead)
    }

    /// True when nothing is running or waiting to be released.
    public var isIdle: Bool { running == 0 && finished.isEmpty }

    /// Results finished and held back behind an earlier, unfinished index.
    public var waiting: Int { finished.count }

    /// The next job: start it, or wait for a completion first.
    public mutating func admit() -> Admission {
        guard running < limit, issued - released < lookahead else { return .waitForCompletion }
        running += 1
        issued += 1
        return .start(index: issued - 1)
    }

    /// A job finished with `result`: the results now releasable, in index order.
    public mutating func complete(_ index: Int, with result: Result) -> [Result] {
        precondition(index >= released && index < issued && finished[index] == nil, "index \(index) was not running")
        running -= 1
        finished[index] = result
        return drain()
    }

    /// An input that needs no work: the results now releasable, in index order (it itself among
    /// them once everything before it is released); nil when the lookahead is full, and the
    /// driver must wait for a completion and pass it again.
    public mutating func pass(_ result: Result) -> [Result]? {
        guard issued - released < lookahead else { return nil }
        finished[issued] = result
        issued += 1
        return drain()
    }

    private mutating func drain() -> [Result] {
        var ready: [Result] = []
        while let result = finished.removeValue(forKey: released) {
            ready.append(result)
            released += 1
        }
        return ready
    }
}
