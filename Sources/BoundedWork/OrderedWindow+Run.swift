/// One input of ``OrderedWindow/run(limit:lookahead:next:perform:release:)``: a job to perform,
/// or a result that needs no work and only keeps its place in the order.
public enum WindowInput<Job: Sendable, Result: Sendable>: Sendable {
    case job(Job)
    case pass(Result)
}

extension OrderedWindow where Result: Sendable {
    /// Drives the window with a task group: pulls inputs from `next` until it returns nil,
    /// performs each job in a child task, and hands results to `release` in input order.
    ///
    /// Buffering: at most `limit` jobs run and at most `lookahead` inputs are admitted but not
    /// released; while the window is full, no input is pulled (so the stage before waits), and
    /// while `release` suspends (a full channel), nothing new is admitted. Cancellation: checked
    /// before each input; the first error thrown by a job or by `release` cancels the running
    /// jobs and is rethrown once they have ended. `next` and `release` run on the calling task
    /// only, one at a time.
    public static func run<Job: Sendable>(
        limit: Int, lookahead: Int,
        next: () async throws -> WindowInput<Job, Result>?,
        perform: @escaping @Sendable (Job) async throws -> Result,
        release: (Result) async throws -> Void
    ) async throws {
        var window = OrderedWindow(limit: limit, lookahead: lookahead)
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            func collect() async throws {
                guard let (index, result) = try await group.next() else { return }
                for ready in window.complete(index, with: result) { try await release(ready) }
            }
            while let input = try await next() {
                try Task.checkCancellation()
                switch input {
                case .pass(let result):
                    var ready = window.pass(result)
                    while ready == nil {
                        try await collect()
                        ready = window.pass(result)
                    }
                    for result in ready ?? [] { try await release(result) }
                case .job(let job):
                    var admitted = false
                    while !admitted {
                        switch window.admit() {
                        case .start(let index):
                            group.addTask { (index, try await perform(job)) }
                            admitted = true
                        case .waitForCompletion:
                            try await collect()
                        }
                    }
                }
            }
            while window.running > 0 { try await collect() }
        }
    }

    /// Every job performed, at most `limit` at once, started in the order given; the results
    /// in that order.
    public static func map<Job: Sendable>(
        _ jobs: [Job], limit: Int, perform: @escaping @Sendable (Job) async throws -> Result
    ) async throws -> [Result] {
        var results: [Result] = []
        results.reserveCapacity(jobs.count)
        var iterator = jobs.makeIterator()
        try await run(limit: limit, lookahead: max(1, jobs.count), next: { iterator.next().map { .job($0) } },
                      perform: perform, release: { results.append($0) })
        return results
    }
}
