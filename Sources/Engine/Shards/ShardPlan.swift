import Foundation

/// A sharded step's plan (`steps/<step>/plan.json`), written by the first shard to plan the
/// step with a conditional create and read by every other, so that a snapshot committed while
/// the shards start cannot split them: the step (as a checkpoint records a step in progress),
/// its groups with the names of their segments, each shard's groups, and the lineage entry
/// that keeps the step's segments hidden until the step is complete.
struct ShardPlan: Codable, Sendable, Equatable {
    var stepId: String
    /// The step's ordinal (the checkpoint's `steps` when it was planned).
    var ordinal: Int
    var shards: Int
    /// The step as planned: planning again from it gives the same step.
    var step: StepProgress
    var groups: [Group]
    /// Shard i's groups, ascending.
    var assignment: [[Int]]
    /// The live segments the step replaces.
    var replaces: [String]
    /// The controller's lineage entry, once opened (nil before, or on a target without lineage).
    var lineageId: String?
    /// True once the lineage entry was opened (or the target has none, or nothing is pushed).
    var lineageOpened: Bool
    /// The worker that opens the lineage entry: the plan's writer, or one that took over from a
    /// writer that left the plan without an entry for too long.
    var lineageClaim: String?
    var createdAt: String

    struct Group: Codable, Sendable, Equatable {
        var index: Int
        var records: Int64
        /// The segments the group is expected to become, in part order.
        var segments: [String]
    }

    /// Every segment name the plan expects, in group and part order.
    var segments: [String] { groups.flatMap(\.segments) }

    init(step: IngestionStep, ordinal: Int, shards: Int, table: String, maxRows: Int) {
        stepId = step.id
        self.ordinal = ordinal
        self.shards = shards
        var progress = StepProgress(step: step)
        progress.pushedGroups = []
        self.step = progress
        groups = step.groups.map { group in
            Group(index: group.index, records: group.records, segments: SegmentNaming.expected(table: table, step: step, group: group, maxRows: maxRows))
        }
        assignment = ShardAssignment.balance(records: step.groups.map(\.records), shards: shards)
        replaces = step.replaces
        lineageId = nil
        lineageOpened = step.groups.isEmpty && step.replaces.isEmpty
        createdAt = Timestamps.now()
    }
}

/// What one shard did of a step (`steps/<step>/shard-<i>.json`): the groups whose every segment
/// it pushed, the segments, and whether its part is done. Two workers with the same index merge
/// into it by compare-and-swap, so neither undoes the other's record.
struct ShardRecord: Codable, Sendable, Equatable {
    var shard: Int
    var pushedGroups: [Int] = []
    /// The segments pushed, with their rows.
    var segments: [String: Int] = [:]
    var done = false
    var updatedAt: String?

    var rows: Int { segments.values.reduce(0, +) }

    func merged(with other: ShardRecord) -> ShardRecord {
        var merged = self
        merged.pushedGroups = Array(Set(pushedGroups).union(other.pushedGroups)).sorted()
        merged.segments.merge(other.segments) { $1 }
        merged.done = done || other.done
        return merged
    }
}

extension StateFolder {
    static func planName(_ ordinal: Int) -> String { "steps/\(LedgerReplay.pad(ordinal))/plan.json" }
    static func shardName(_ ordinal: Int, _ shard: Int) -> String { "steps/\(LedgerReplay.pad(ordinal))/shard-\(shard).json" }

    /// The plan of step `ordinal` and its version; nil before a shard wrote it.
    func shardPlan(_ ordinal: Int) async throws(EngineError) -> (plan: ShardPlan, version: String)? {
        guard let object = try await store.read(Self.planName(ordinal)) else { return nil }
        guard let plan = try? JSONDecoder().decode(ShardPlan.self, from: Data(object.bytes)) else {
            throw EngineError(.stateCorrupt, "\(location)\(Self.planName(ordinal)) is not a step plan", file: location + Self.planName(ordinal))
        }
        return (plan, object.version)
    }

    /// Writes the plan unless another shard wrote one first; either way, the plan in force.
    func createShardPlan(_ plan: ShardPlan) async throws(EngineError) -> (plan: ShardPlan, version: String) {
        if let version = try await store.create(Self.planName(plan.ordinal), Self.json(plan)) { return (plan, version) }
        guard let existing = try await shardPlan(plan.ordinal) else {
            throw EngineError(.stateCorrupt, "\(location)\(Self.planName(plan.ordinal)) exists and cannot be read")
        }
        return existing
    }

    /// Replaces the plan if it is still `version`; nil when another shard changed it first.
    func replaceShardPlan(_ plan: ShardPlan, ifVersion version: String) async throws(EngineError) -> String? {
        try await store.replace(Self.planName(plan.ordinal), Self.json(plan), ifVersion: version)
    }

    func shardRecord(_ ordinal: Int, _ shard: Int) async throws(EngineError) -> (record: ShardRecord, version: String)? {
        guard let object = try await store.read(Self.shardName(ordinal, shard)) else { return nil }
        guard let record = try? JSONDecoder().decode(ShardRecord.self, from: Data(object.bytes)) else {
            throw EngineError(.stateCorrupt, "\(location)\(Self.shardName(ordinal, shard)) is not a shard record")
        }
        return (record, object.version)
    }

    /// Merges `change` into shard `change.shard`'s record (created when absent).
    @discardableResult
    func mergeShardRecord(_ change: ShardRecord, ordinal: Int) async throws(EngineError) -> ShardRecord {
        let name = Self.shardName(ordinal, change.shard)
        for _ in 0..<8 {
            var merged = change
            merged.updatedAt = Timestamps.now()
            if let (current, version) = try await shardRecord(ordinal, change.shard) {
                merged = current.merged(with: merged)
                merged.updatedAt = Timestamps.now()
                if try await store.replace(name, Self.json(merged), ifVersion: version) != nil { return merged }
            } else if try await store.create(name, Self.json(merged)) != nil {
                return merged
            }
        }
        throw EngineError(.io, "cannot record shard \(change.shard)'s progress in \(location)\(name): other writers keep changing it")
    }
}

/// A sharded step under way, for `status`: each shard's part and how far it got.
public struct ShardedStepStatus: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var shard: Int
        public var groups: Int
        public var groupsPushed: Int
        public var segmentsPushed: Int
        public var done: Bool
    }

    public var stepId: String
    public var shards: Int
    public var parts: [Part]
}

extension IngestionTask {
    /// The sharded step after the checkpoint, if one is planned: each shard's part.
    public func shardedStep() async throws -> ShardedStepStatus? {
        let folder = try StateFolder.open(configuration)
        let ordinal = try await folder.checkpoint()?.ordinal ?? 0
        guard let (plan, _) = try await folder.shardPlan(ordinal) else { return nil }
        var parts: [ShardedStepStatus.Part] = []
        for shard in 0..<plan.shards {
            let record = try await folder.shardRecord(ordinal, shard)?.record
            let groups = Set(plan.assignment[shard])
            parts.append(.init(shard: shard, groups: groups.count, groupsPushed: groups.intersection(record?.pushedGroups ?? []).count,
                               segmentsPushed: record?.segments.count ?? 0, done: record?.done ?? false))
        }
        return ShardedStepStatus(stepId: plan.stepId, shards: plan.shards, parts: parts)
    }
}
