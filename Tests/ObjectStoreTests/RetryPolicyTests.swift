import ObjectStore
import Testing

/// The retry bound: attempts and a time budget, with the count and the time in the error.
@Suite("retry policy")
struct RetryPolicyTests {
    @Test("no retry starts once unanswered attempts used the time budget; the error says how many attempts over how long")
    func budget() async {
        let policy = RetryPolicy(maxAttempts: 1000, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2), maxElapsed: .milliseconds(300))
        let error = await #expect(throws: ObjectStoreError.self) {
            try await policy.run { (_) async throws -> Int in
                try await Task.sleep(for: .milliseconds(30))
                throw ObjectStoreError(.timeout, "no answer in time")
            }
        }
        // Each attempt takes 30 ms or more, so the budget allows about ten; without it all 1000
        // would run. (No bound on the wall clock: beside other suites the task pool can starve.)
        #expect((error?.attempts ?? 1000) <= 11)
        if let error, let attempts = error.attempts, attempts > 1 {
            #expect(error.description.contains("after \(attempts) attempts over "), "\(error)")
        }
    }

    @Test("attempts that got an answer do not use the budget")
    func answered() async {
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2), maxElapsed: .milliseconds(20))
        let error = await #expect(throws: ObjectStoreError.self) {
            try await policy.run { (_) async throws -> Int in
                try await Task.sleep(for: .milliseconds(30))
                throw ObjectStoreError(.serverError, "HTTP 503", status: 503)
            }
        }
        #expect(error?.attempts == 4)
    }

    @Test("errors that are not retryable are thrown at once")
    func notRetryable() async {
        let error = await #expect(throws: ObjectStoreError.self) {
            try await RetryPolicy().run { (_) async throws -> Int in throw ObjectStoreError(.accessDenied, "HTTP 403", status: 403) }
        }
        #expect(error?.attempts == 1)
    }
}
