import Engine
import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// The HTTP API of `serve` (DESIGN.md, "The service") on Hummingbird: the status page, the
/// tasks, a task's status, checkpoint, segments and a snapshot's files, trigger, pause and
/// resume, Prometheus metrics, and the probes. Task names in paths are looked up among the
/// loaded tasks, never used as file paths. The polled calls (`/tasks`, `/tasks/{name}`,
/// `/metrics`) answer from ``RecentAnswers``: at most a second old, and never older than this
/// process's last change to a task.
public enum ServiceHTTP {
    public static func application(
        answers: ServiceAnswers, registry: PrometheusCollectorRegistry, host: String, port: Int, token: String?, logger: Logger,
        onListening: @escaping @Sendable (String) -> Void
    ) -> some ApplicationProtocol {
        let recent = RecentAnswers(maxAge: .seconds(1))
        let router = Router()
        router.add(middleware: BearerTokenMiddleware(token: token))
        router.get("/") { _, _ in HTTPAnswers.text(StatusPage.html(), contentType: "text/html; charset=utf-8") }
        router.get("/healthz") { _, _ in HTTPAnswers.json(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            let failures = answers.unready
            guard failures.isEmpty else {
                let list = failures.map { "\($0.file): \($0.message)" }.joined(separator: "; ")
                return HTTPAnswers.json(["error": ["code": "notReady", "message": "\(failures.count) task configuration(s) did not load: \(list)"],
                                         "failures": failures.map { ["file": $0.file, "message": $0.message] }], status: .serviceUnavailable)
            }
            return HTTPAnswers.json(["status": "ready", "tasks": answers.host.tasks.count])
        }
        router.get("/metrics") { _, _ in
            try await recent.answer("/metrics", changes: answers.host.changes) {
                HTTPAnswers.text(registry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
            }
        }
        router.get("/tasks") { _, _ in
            try await recent.answer("/tasks", changes: answers.host.changes) { HTTPAnswers.json(await answers.tasks()) }
        }
        router.get("/tasks/:name") { _, context in
            let name = try context.parameters.require("name")
            guard answers.host.task(named: name) != nil else { return HTTPAnswers.unknownTask(name) }
            return try await recent.answer("/tasks/" + name, changes: answers.host.changes) {
                try await answers.task(name).map { HTTPAnswers.json($0) } ?? HTTPAnswers.unknownTask(name)
            }
        }
        router.get("/tasks/:name/checkpoint") { _, context in
            let name = try context.parameters.require("name")
            return try await answers.checkpoint(name).map { HTTPAnswers.json($0) } ?? HTTPAnswers.unknownTask(name)
        }
        router.get("/tasks/:name/segments") { _, context in
            let name = try context.parameters.require("name")
            return try await answers.segments(name).map { HTTPAnswers.json($0) } ?? HTTPAnswers.unknownTask(name)
        }
        router.get("/tasks/:name/snapshots/:id/files") { _, context in
            let name = try context.parameters.require("name")
            guard let id = Int64(try context.parameters.require("id")) else {
                return HTTPAnswers.error(.badRequest, code: "badRequest", "a snapshot id is a 64-bit integer")
            }
            return try await answers.snapshotFiles(name, snapshot: id).map { HTTPAnswers.json($0) } ?? HTTPAnswers.unknownTask(name)
        }
        router.post("/tasks/:name/trigger") { _, context in
            let name = try context.parameters.require("name")
            switch answers.host.trigger(name) {
            case .accepted: return HTTPAnswers.json(["name": name, "triggered": true], status: .accepted)
            case .running: return HTTPAnswers.error(.conflict, code: "running", "task \(name) is running now; trigger it again once the run ends")
            case .unknown: return HTTPAnswers.unknownTask(name)
            }
        }
        for (path, enabled) in [("pause", false), ("resume", true)] {
            router.post("/tasks/:name/\(path)") { _, context in
                let name = try context.parameters.require("name")
                return try await answers.setEnabled(name, enabled).map { HTTPAnswers.json($0) } ?? HTTPAnswers.unknownTask(name)
            }
        }
        var logger = logger
        logger.logLevel = .warning
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "lakeingest"),
            onServerRunning: { channel in
                onListening("http://\(host):\(channel.localAddress?.port ?? port)")
            },
            logger: logger)
    }
}
