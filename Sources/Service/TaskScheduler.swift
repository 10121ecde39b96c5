import Engine
import Foundation

/// When the tasks of `serve` run (DESIGN.md, "The service"), as a pure state machine: each task
/// runs once at start and then at every time its cron schedule names; a trigger asks for a run
/// now; at most `maxConcurrent` runs go at once, the rest wait their turn in the order they
/// became due; a task never runs twice at once. The host tells it the time, and what started
/// and ended; it answers which runs to start and when to look again.
public struct TaskScheduler: Sendable {
    public enum TriggerAnswer: Equatable, Sendable {
        case accepted
        /// The task is running now (HTTP 409).
        case running
        case unknown
    }

    struct Entry: Sendable {
        var schedule: CronSchedule
        var nextRunAt: Date?
        var running = false
        /// Due and waiting for a free run slot, since this time.
        var waitingSince: Date?
    }

    public let maxConcurrent: Int
    private var entries: [String: Entry] = [:]

    public init(maxConcurrent: Int) {
        self.maxConcurrent = max(1, maxConcurrent)
    }

    /// Adds a task, due at once.
    public mutating func add(_ name: String, schedule: CronSchedule, now: Date) {
        entries[name] = Entry(schedule: schedule, nextRunAt: now)
    }

    public var runningCount: Int { entries.values.filter(\.running).count }

    public func isRunning(_ name: String) -> Bool { entries[name]?.running ?? false }

    /// When the task's next scheduled run is (nil while it runs or has no next time).
    public func nextRunAt(_ name: String) -> Date? { entries[name]?.nextRunAt }

    /// A run asked for now: accepted unless the task runs already.
    public mutating func trigger(_ name: String, now: Date) -> TriggerAnswer {
        guard var entry = entries[name] else { return .unknown }
        guard !entry.running else { return .running }
        entry.nextRunAt = now
        entries[name] = entry
        return .accepted
    }

    /// The runs to start now, oldest due first, as many as free slots allow; they count as running.
    public mutating func due(now: Date) -> [String] {
        for (name, entry) in entries where !entry.running && entry.waitingSince == nil {
            if let next = entry.nextRunAt, next <= now { entries[name]?.waitingSince = next }
        }
        let waiting = entries.filter { $0.value.waitingSince != nil }
            .sorted { ($0.value.waitingSince!, $0.key) < ($1.value.waitingSince!, $1.key) }
            .map(\.key)
        let free = max(0, maxConcurrent - runningCount)
        let starting = Array(waiting.prefix(free))
        for name in starting {
            entries[name]?.running = true
            entries[name]?.waitingSince = nil
            entries[name]?.nextRunAt = nil
        }
        return starting
    }

    /// A run ended: the task's next run is the schedule's next time after `now`.
    public mutating func finished(_ name: String, now: Date) {
        guard var entry = entries[name] else { return }
        entry.running = false
        entry.nextRunAt = entry.schedule.next(after: now)
        entries[name] = entry
    }

    /// When something next becomes due (nil: nothing scheduled).
    public func nextWake() -> Date? {
        entries.values.filter { !$0.running }.compactMap(\.nextRunAt).min()
    }
}
