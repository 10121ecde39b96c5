import Foundation
import Hummingbird
import NIOCore
@testable import Service
import Synchronization
import Testing

/// The kept answers of the polled calls, told the time: kept while young and unchanged, rebuilt
/// when old or after a change, one build shared by callers that ask at once, failures not kept.
@Suite("service: recent answers")
struct RecentAnswersTests {
    final class Clock: Sendable {
        let start = ContinuousClock.now
        let offset = Mutex<Duration>(.zero)
        func advance(_ by: Duration) { offset.withLock { $0 += by } }
        var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
    }

    struct Refused: Error {}

    /// Builds numbered answers: the body says which build made it.
    final class Builder: Sendable {
        let builds = Atomic<Int>(0)
        func make() -> Response {
            let number = builds.add(1, ordering: .relaxed).newValue
            return HTTPAnswers.text("build \(number)", contentType: "text/plain")
        }
    }

    /// A response body's text.
    final class Collector: ResponseBodyWriter {
        var text = ""
        func write(_ buffer: ByteBuffer) async throws { text += String(buffer: buffer) }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    static func text(_ response: Response) async throws -> String {
        let collector = Collector()
        try await response.body.write(collector)
        return collector.text
    }

    @Test("an answer is kept for maxAge while nothing changed, then rebuilt; a change rebuilds at once")
    func keptAndRebuilt() async throws {
        let clock = Clock()
        let recent = RecentAnswers(maxAge: .seconds(1), now: { clock.now })
        let builder = Builder()
        let first = try await recent.answer("/metrics", changes: 0) { builder.make() }
        let again = try await recent.answer("/metrics", changes: 0) { builder.make() }
        #expect(builder.builds.load(ordering: .relaxed) == 1)
        #expect(try await Self.text(first) == "build 1")
        #expect(try await Self.text(again) == "build 1", "a kept answer's body can be sent again")
        clock.advance(.milliseconds(999))
        _ = try await recent.answer("/metrics", changes: 0) { builder.make() }
        #expect(builder.builds.load(ordering: .relaxed) == 1, "younger than a second: kept")
        clock.advance(.milliseconds(1))
        let rebuilt = try await recent.answer("/metrics", changes: 0) { builder.make() }
        #expect(try await Self.text(rebuilt) == "build 2", "a second old: rebuilt")
        _ = try await recent.answer("/metrics", changes: 1) { builder.make() }
        #expect(builder.builds.load(ordering: .relaxed) == 3, "a change: rebuilt at once")
        _ = try await recent.answer("/tasks", changes: 1) { builder.make() }
        #expect(builder.builds.load(ordering: .relaxed) == 4, "each call has its own answer")
        _ = try await recent.answer("/metrics", changes: 1) { builder.make() }
        #expect(builder.builds.load(ordering: .relaxed) == 4)
    }

    @Test("callers that ask while an answer is built share that build")
    func sharedBuild() async throws {
        let recent = RecentAnswers(maxAge: .seconds(60))
        let builder = Builder()
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await Self.text(recent.answer("/tasks/a", changes: 0) {
                        try await Task.sleep(for: .milliseconds(200))
                        return builder.make()
                    })
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(bodies == Array(repeating: "build 1", count: 8))
        #expect(builder.builds.load(ordering: .relaxed) == 1)
    }

    @Test("a build that throws is not kept: the next call builds again")
    func failureNotKept() async throws {
        let recent = RecentAnswers(maxAge: .seconds(60))
        let builder = Builder()
        await #expect(throws: Refused.self) {
            try await recent.answer("/tasks/a", changes: 0) { throw Refused() }
        }
        let answer = try await recent.answer("/tasks/a", changes: 0) { builder.make() }
        #expect(answer.status == .ok)
        #expect(builder.builds.load(ordering: .relaxed) == 1)
    }
}
