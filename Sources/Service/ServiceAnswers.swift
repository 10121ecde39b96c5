import Engine
import Foundation

/// The answers of the HTTP API as JSON objects, from the same library calls the CLI uses
/// (DESIGN.md's table). Nothing here holds a secret: statuses, checkpoints and the ledger never
/// do, and configurations are not answered.
public struct ServiceAnswers: Sendable {
    public let host: TaskHost

    public init(host: TaskHost) { self.host = host }

    static func time(_ date: Date?) -> Any {
        date.map { $0.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) } ?? NSNull()
    }

    /// A task's state: RUNNING while this process runs it, else its last status's, IDLE before any.
    func state(_ name: String, _ status: TaskStatus?) -> String {
        if host.isRunning(name) { return "RUNNING" }
        return status?.state.rawValue ?? "IDLE"
    }

    /// `GET /tasks`.
    public func tasks() async -> [[String: Any]] {
        var answer: [[String: Any]] = []
        for (name, task) in host.tasks {
            let status = (try? await task.status()) ?? nil
            let times = host.runTimes(name)
            answer.append([
                "name": name, "table": task.configuration.table, "state": state(name, status),
                "enabled": !(await task.isPaused()),
                "lastIngestedSnapshotId": status?.lastIngestedSnapshotId.map { NSNumber(value: $0) } ?? NSNull(),
                "lastRunStartedAt": Self.time(times?.startedAt), "lastRunEndedAt": Self.time(times?.endedAt),
                "nextRunAt": Self.time(host.nextRunAt(name)),
            ])
        }
        return answer
    }

    /// `GET /tasks/{name}`: the status file's object, plus `enabled`, `nextRunAt` and the live state.
    public func task(_ name: String) async throws -> [String: Any]? {
        guard let task = host.task(named: name) else { return nil }
        let status = try await task.status()
        var object = (status.flatMap { try? JSONSerialization.jsonObject(with: Data($0.jsonText().utf8)) as? [String: Any] }) ?? [:]
        object["name"] = name
        object["table"] = task.configuration.table
        object["state"] = state(name, status)
        object["enabled"] = !(await task.isPaused())
        object["nextRunAt"] = Self.time(host.nextRunAt(name))
        return object
    }

    /// `GET /tasks/{name}/checkpoint`.
    public func checkpoint(_ name: String) async throws -> Any? {
        guard let task = host.task(named: name) else { return nil }
        guard let checkpoint = try await task.checkpoint() else { return NSNull() }
        return try JSONSerialization.jsonObject(with: JSONEncoder().encode(checkpoint))
    }

    /// `GET /tasks/{name}/segments`: the live segments, each with its rows and files.
    public func segments(_ name: String) async throws -> [[String: Any]]? {
        guard let task = host.task(named: name) else { return nil }
        return try await task.ledger().map { entry in
            ["name": entry.segment, "rows": entry.rows, "step": entry.step,
             "snapshotId": entry.snapshotId.map { NSNumber(value: $0) } ?? NSNull(),
             "files": entry.files.map { ["path": $0.path, "rows": $0.rows] }]
        }
    }

    /// `GET /tasks/{name}/snapshots/{id}/files`: the snapshot's data files that live segments
    /// hold (`kind: data`, the rows of each in them) and the delete files applied to those
    /// segments' rows (`kind: delete`, the rows each removed, and from which data files), each
    /// with the segments, in path order.
    public func snapshotFiles(_ name: String, snapshot: Int64) async throws -> [[String: Any]]? {
        guard let task = host.task(named: name) else { return nil }
        struct File {
            var kind: String
            var segments: [String] = []
            var rows = 0
            var dataFiles: [String: Int] = [:]

            mutating func add(_ rows: Int, in segment: String) {
                self.rows += rows
                if segments.last != segment { segments.append(segment) }
            }
        }
        var files: [String: File] = [:]
        for entry in try await task.ledger() where entry.snapshotId == snapshot {
            for span in entry.files { files[span.path, default: File(kind: "data")].add(span.rows, in: entry.segment) }
            for delete in entry.deletes ?? [] {
                files[delete.path, default: File(kind: "delete")].add(delete.rows, in: entry.segment)
                files[delete.path]?.dataFiles[delete.dataFile, default: 0] += delete.rows
            }
        }
        return files.keys.sorted().map { path in
            let file = files[path]!
            var answer: [String: Any] = ["path": path, "kind": file.kind, "segments": file.segments, "rows": file.rows]
            if file.kind == "delete" {
                answer["dataFiles"] = file.dataFiles.keys.sorted().map { ["path": $0, "rows": file.dataFiles[$0]!] }
            }
            return answer
        }
    }

    /// `POST /tasks/{name}/pause` and `/resume`: the new `enabled`.
    public func setEnabled(_ name: String, _ enabled: Bool) async throws -> [String: Any]? {
        guard let task = host.task(named: name) else { return nil }
        if enabled { try await task.resume() } else { try await task.pause() }
        host.noteChange()
        return ["name": name, "enabled": !(await task.isPaused())]
    }

    /// `GET /readyz`: the configurations that did not load.
    public var unready: [TaskHost.LoadFailure] { host.failures }
}
