import Logging

/// When and how long to wait before trying a failed request again: jittered exponential
/// backoff ("full jitter") with a cap, an attempt limit and a time budget. Only retryable codes
/// (`ObjectStoreError.Code.isRetryable`: throttling, 5xx, resets, timeouts, cut bodies) are
/// tried again, and each retry is logged (a warning naming the attempt and the failure).
///
/// The bound on one call: once the attempts that got no answer (timeouts, refused or lost
/// connections) have taken `maxElapsed` (45 s by default), no further attempt starts, and an
/// attempt waits at most its client's connect (5 s) and read (30 s) timeouts, so a server that
/// never answers fails a call within about 75 s. Attempts that made progress (a 5xx answer, a body
/// cut after a while) do not count, so a long transfer cut short is still tried again.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The delay cap of the first retry, doubled for every later one.
    public var baseDelay: Duration
    /// The largest delay.
    public var maxDelay: Duration
    /// No retry starts once attempts without an answer have taken this long in all.
    public var maxElapsed: Duration

    static let logger = Logger(label: "lakeingest.retry")

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5),
                maxElapsed: Duration = .seconds(45)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxElapsed = maxElapsed
    }

    /// The delay before attempt `attempt + 1` (after `attempt` failures, counting from 1).
    public func delay(afterAttempt attempt: Int) -> Duration {
        let exponent = min(attempt - 1, 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        let milliseconds = Double(ceiling.components.seconds) * 1000 + Double(ceiling.components.attoseconds) / 1e15
        return .milliseconds(Int64(Double.random(in: 0...1) * milliseconds))
    }

    /// Runs `operation` until it succeeds, fails with a code that is not retryable, or the
    /// attempts or the time budget are used up; the error thrown carries the attempt count and
    /// the time spent.
    public func run<T: Sendable>(_ operation: @Sendable (_ attempt: Int) async throws -> T) async throws -> T {
        let clock = ContinuousClock()
        let start = clock.now
        var unanswered: Duration = .zero
        var attempt = 1
        while true {
            let attemptStart = clock.now
            do {
                return try await operation(attempt)
            } catch var error as ObjectStoreError {
                if error.code == .timeout || error.code == .transport { unanswered += clock.now - attemptStart }
                error.attempts = attempt
                error.elapsed = clock.now - start
                let pause = delay(afterAttempt: attempt)
                guard error.code.isRetryable, attempt < maxAttempts, unanswered + pause < maxElapsed else { throw error }
                Self.logger.warning("retrying: attempt \(attempt + 1) of \(maxAttempts) after \(pause.components.seconds * 1000 + pause.components.attoseconds / 1_000_000_000_000_000) ms; attempt \(attempt) failed: \(error)")
                try await Task.sleep(for: pause)
                attempt += 1
            }
        }
    }
}
