import Foundation
import Logging
import ServiceLifecycle

/// A task as a long-running `Service` (swift-service-lifecycle), for a `ServiceGroup` that
/// turns SIGTERM and SIGINT into a graceful shutdown: the run under way is cancelled — every
/// stage stops, a push that has started completes and is checkpointed — and the service ends.
///
/// Once: one run. Watching: a run at once (a newly created table gets its first ingestion right
/// away), then one at every minute the task's cron `schedule` names (UTC); a paused task skips
/// its runs.
public struct IngestionService: Service {
    public let task: IngestionTask
    public let watch: Bool
    /// Shard `index` of `count` of the task (nil: the whole task).
    public let shard: (index: Int, count: Int)?
    private let onReport: @Sendable (TaskReport) -> Void
    private let logger: Logger

    /// - Parameter onReport: called after every run with its report.
    public init(task: IngestionTask, watch: Bool, shard: (index: Int, count: Int)? = nil, logger: Logger = Logger(label: "lakeingest.service"),
                onReport: @escaping @Sendable (TaskReport) -> Void = { _ in }) {
        self.task = task
        self.watch = watch
        self.shard = shard
        self.onReport = onReport
        self.logger = logger
    }

    public func run() async throws {
        repeat {
            let (task, shard) = (self.task, self.shard)
            let report = try await cancelWhenGracefulShutdown {
                if let shard { return try await task.run(shard: shard.index, of: shard.count) }
                return try await task.run()
            }
            onReport(report)
            guard watch, !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
            guard let next = task.configuration.schedule.next(after: Date()) else {
                logger.warning("the schedule names no time in the next five years", metadata: ["schedule": "\(task.configuration.schedule)"])
                return
            }
            logger.info("next run", metadata: ["at": "\(ISO8601DateFormatter().string(from: next))"])
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .seconds(max(0, next.timeIntervalSinceNow)))
                }
            } catch {
                return
            }
        } while !Task.isCancelled && !Task.isShuttingDownGracefully
    }
}
