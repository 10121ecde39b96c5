import Foundation
import ObjectStore

/// Which task a state folder belongs to (`stateDir/task.json`): its name and its source. Two
/// tasks pointed at one `stateDir` would otherwise read each other's checkpoint and status (a
/// data lake task reporting an Iceberg task's snapshot); the second is refused, naming both.
struct TaskOwner: Codable, Sendable, Equatable {
    var taskName: String
    /// The source in one line, without secrets: `iceberg-rest glue <uri> <warehouse> <ns>.<table>`,
    /// `iceberg-table <location>` or `s3-data-lake <location>`.
    var source: String

    init(taskName: String, source: String) {
        self.taskName = taskName
        self.source = source
    }

    init(_ configuration: TaskConfiguration) {
        let source = configuration.source
        var parts = [source.type.rawValue]
        switch source.type {
        case .icebergRest:
            parts += [source.restService?.rawValue ?? "rest", source.uri.map(ObjectStoreURI.redacted) ?? "", source.warehouse ?? "",
                      (source.namespace ?? "") + "." + (source.tableName ?? "")]
        case .icebergTable, .s3DataLake:
            parts.append(source.location ?? "")
        }
        self.init(taskName: configuration.taskName, source: parts.filter { !$0.isEmpty }.joined(separator: " "))
    }

    var text: String { "task \(taskName) (\(source))" }
}

extension StateFolder {
    /// Records `owner` as the state's task the first time; afterwards refuses any other.
    /// - Throws: `.invalidConfiguration` naming both tasks.
    func claim(for owner: TaskOwner) async throws(EngineError) {
        for _ in 0..<2 {
            if let object = try await store.read("task.json") {
                if let recorded = try? JSONDecoder().decode(TaskOwner.self, from: Data(object.bytes)) {
                    guard recorded != owner else { return }
                    throw EngineError(.invalidConfiguration,
                        "the state \(location) belongs to \(recorded.text), not to \(owner.text): give each task a stateDir of its own",
                        file: location + "task.json")
                }
                try await store.write("task.json", Self.json(owner))
                return
            }
            // Created by this worker, or by a shard of the same task that got there first.
            if try await store.create("task.json", Self.json(owner)) != nil { return }
        }
    }
}
