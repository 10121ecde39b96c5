import Engine
import Foundation
import Service
import Testing

/// `serve`'s scheduling without tasks, clocks or threads: the machine told the time and what
/// ended, answering what to start.
@Suite("service: the task scheduler")
struct TaskSchedulerTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z, a whole minute
    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    @Test("every task runs at once, at most maxConcurrent at a time, the rest as slots free in the order they became due; then on the schedule")
    func startAndLimit() throws {
        var scheduler = TaskScheduler(maxConcurrent: 2)
        let every5 = try CronSchedule("*/5 * * * *")
        for name in ["c", "a", "b"] { scheduler.add(name, schedule: every5, now: Self.t0) }
        let first = scheduler.due(now: Self.t0)
        #expect(first == ["a", "b"] && scheduler.runningCount == 2, "ties in name order: \(first)")
        #expect(scheduler.due(now: Self.at(1)).isEmpty, "no slot")
        scheduler.finished("b", now: Self.at(10))
        #expect(scheduler.due(now: Self.at(10)) == ["c"])
        #expect(scheduler.nextRunAt("b") == Self.at(300), "the next */5 minute")
        scheduler.finished("a", now: Self.at(20))
        scheduler.finished("c", now: Self.at(30))
        #expect(scheduler.nextWake() == Self.at(300))
        #expect(scheduler.due(now: Self.at(299)).isEmpty)
        #expect(scheduler.due(now: Self.at(300)) == ["a", "b"], "due together; two slots")
    }

    @Test("a trigger runs a task now, and is refused while it runs; an unknown task is unknown")
    func trigger() throws {
        var scheduler = TaskScheduler(maxConcurrent: 1)
        scheduler.add("a", schedule: try CronSchedule("0 * * * *"), now: Self.t0)
        #expect(scheduler.due(now: Self.t0) == ["a"])
        #expect(scheduler.trigger("a", now: Self.at(1)) == .running)
        scheduler.finished("a", now: Self.at(5))
        #expect(scheduler.nextRunAt("a") == Self.at(3600))
        #expect(scheduler.trigger("a", now: Self.at(6)) == .accepted)
        #expect(scheduler.nextWake() == Self.at(6))
        #expect(scheduler.due(now: Self.at(6)) == ["a"] && scheduler.isRunning("a"))
        #expect(scheduler.trigger("zzz", now: Self.at(7)) == .unknown)
    }
}
