import Hummingbird
import Synchronization

/// The answers of the calls that dashboards and scrapers poll (`/tasks`, `/tasks/{name}`,
/// `/metrics`), each kept for at most `maxAge` and only while nothing this process did has
/// changed a task (``TaskHost/changes``: a run starting or ending, a trigger, a pause or resume).
///
/// Why: building `/tasks/{name}` reads the status, the lock and the pause flag from the state
/// store, and `/metrics` renders every series; at 200 calls a second that work competes with the
/// run being reported on. Kept answers cost a lookup, and what a poller sees lags a run's progress
/// by at most `maxAge`. Callers that ask at once while an answer is rebuilt share that one build.
final class RecentAnswers: Sendable {
    private struct Kept {
        var made: ContinuousClock.Instant
        var changes: Int
        var build: Task<Response, any Error>
    }

    let maxAge: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let kept = Mutex<[String: Kept]>([:])

    init(maxAge: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.maxAge = maxAge
        self.now = now
    }

    /// The answer kept under `key` if it is younger than `maxAge` and was made at `changes`,
    /// else the one `make` builds now (kept unless it throws). `make`'s bodies are whole
    /// buffers, which can be sent again.
    func answer(_ key: String, changes: Int, make: @escaping @Sendable () async throws -> Response) async throws -> Response {
        let instant = now()
        let build = kept.withLock { kept -> Task<Response, any Error> in
            if let current = kept[key], current.changes == changes, instant - current.made < maxAge {
                return current.build
            }
            let build = Task { try await make() }
            kept[key] = Kept(made: instant, changes: changes, build: build)
            return build
        }
        do {
            return try await build.value
        } catch {
            kept.withLock { kept in
                if kept[key]?.made == instant { kept[key] = nil }
            }
            throw error
        }
    }
}
