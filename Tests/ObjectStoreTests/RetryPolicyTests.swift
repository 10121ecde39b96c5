import ObjectStore
import Testing

/// The retry bound: attempts and a time budget, with the count and the time in the error.
@Suite("retry policy")
struct RetryPolicyTests {
    @Test("no retry starts after the time budget; the error says how many attempts over how long")
    func budget() async {
        let policy = RetryPolicy(maxAttempts: 1000, baseDelay: .milliseconds(20), maxDelay: .milliseconds(40), maxElapsed: .milliseconds(300))
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: ObjectStoreError.self) {
            try await policy.run { (_) async throws -> Int in throw ObjectStoreError(.serverError, "HTTP 503", status: 503) }
        }
        #expect(clock.now - start < .seconds(2))
        #expect((error?.attempts ?? 0) > 1 && (error?.attempts ?? 1000) < 1000)
        #expect(error?.description.contains("attempts over 0.") == true, "\(error!)")
    }

    @Test("errors that are not retryable are thrown at once")
    func notRetryable() async {
        let error = await #expect(throws: ObjectStoreError.self) {
            try await RetryPolicy().run { (_) async throws -> Int in throw ObjectStoreError(.accessDenied, "HTTP 403", status: 403) }
        }
        #expect(error?.attempts == 1)
    }
}
