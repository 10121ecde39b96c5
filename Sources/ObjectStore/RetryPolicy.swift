/// When and how long to wait before trying a failed request again: jittered exponential
/// backoff ("full jitter") with a cap and an attempt limit. Only retryable codes
/// (`ObjectStoreError.Code.isRetryable`: throttling, 5xx, resets, timeouts, cut bodies) are tried again.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The delay cap of the first retry, doubled for every later one.
    public var baseDelay: Duration
    /// The largest delay.
    public var maxDelay: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The delay before attempt `attempt + 1` (after `attempt` failures, counting from 1).
    public func delay(afterAttempt attempt: Int) -> Duration {
        let exponent = min(attempt - 1, 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        let milliseconds = Double(ceiling.components.seconds) * 1000 + Double(ceiling.components.attoseconds) / 1e15
        return .milliseconds(Int64(Double.random(in: 0...1) * milliseconds))
    }

    /// Runs `operation` until it succeeds, fails with a code that is not retryable, or the
    /// attempts are used up; the error thrown carries the attempt count.
    public func run<T: Sendable>(_ operation: @Sendable (_ attempt: Int) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await operation(attempt)
            } catch var error as ObjectStoreError {
                error.attempts = attempt
                guard error.code.isRetryable, attempt < maxAttempts else { throw error }
                try await Task.sleep(for: delay(afterAttempt: attempt))
                attempt += 1
            }
        }
    }
}
