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
    var ownerPath: String { path + "/task.json" }

    /// Records `owner` as the folder's task the first time; afterwards refuses any other.
    /// - Throws: `.invalidConfiguration` naming both tasks.
    func claim(for owner: TaskOwner) throws(EngineError) {
        if let data = FileManager.default.contents(atPath: ownerPath) {
            if let recorded = try? JSONDecoder().decode(TaskOwner.self, from: data) {
                guard recorded != owner else { return }
                throw EngineError(.invalidConfiguration,
                    "the state folder \(path) belongs to \(recorded.text), not to \(owner.text): give each task a stateDir of its own",
                    file: ownerPath)
            }
        }
        try AtomicFile.write(Self.json(owner), to: ownerPath)
    }
}
