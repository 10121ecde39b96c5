import Foundation

/// Stage 5 of a shard: pushes the shard's segments of a sharded step and records them — each
/// segment in the ledger under the step, each completed group and finally the part's end in the
/// shard's record. It never moves the checkpoint: the shard that finds every part done does
/// (``ShardedRun``). The step's lineage entry is open before any shard builds, so its segments
/// stay hidden until the step completes.
struct ShardPushStage {
    private let context: PipelineContext
    private let pusher: any SegmentPusher
    private let folder: StateFolder
    private let shard: Int
    /// The step's ordinal, under which its ledger and shard records are kept.
    private let ordinal: Int
    private var prepared = false

    init(context: PipelineContext, pusher: any SegmentPusher, folder: StateFolder, shard: Int, ordinal: Int) {
        self.context = context
        self.pusher = pusher
        self.folder = folder
        self.shard = shard
        self.ordinal = ordinal
    }

    mutating func run(input: StageChannel.Receiver<BuiltWork>) async throws {
        while let item = await input.next() {
            switch item {
            case .marker(.stepStarted(let step)):
                context.reportStepStarted(step)
            case .marker(.stepEnd):
                let (folder, shard, ordinal) = (self.folder, self.shard, self.ordinal)
                try await PushStage.shielded {
                    try await folder.mergeShardRecord(ShardRecord(shard: shard, done: true), ordinal: ordinal)
                }
            case .marker:
                break
            case .sealed(let segment, let cut):
                let prepare = !prepared
                prepared = true
                let (context, pusher, folder, shard, ordinal) = (self.context, self.pusher, self.folder, self.shard, self.ordinal)
                try await PushStage.shielded {
                    if prepare { try await pusher.prepare(schema: context.plan.pinotSchema, first: segment) }
                    try await PushStage.upload(segment, prepare: false, context: context, pusher: pusher)
                    var entry = LedgerEntry(segment: cut.name, step: cut.stepId, snapshotId: cut.snapshotId, group: cut.group, part: cut.part,
                                            rows: segment.rows, files: cut.files, pushedAt: Timestamps.now())
                    entry.columns = context.plan.pinotSchema.fields.map(\.name)
                    entry.deletes = cut.deletes.isEmpty ? nil : cut.deletes
                    try await folder.record(entry, ordinal: ordinal)
                    var change = ShardRecord(shard: shard, segments: [cut.name: segment.rows])
                    if cut.completesGroup { change.pushedGroups = [cut.group] }
                    try await folder.mergeShardRecord(change, ordinal: ordinal)
                    context.progress.segmentPushed(step: cut.stepId, rows: segment.rows)
                    try context.progress.publish(.running)
                    FaultInjection.reached("checkpointed")
                }
            case .groupComplete(_, let group):
                let (folder, shard, ordinal) = (self.folder, self.shard, self.ordinal)
                try await PushStage.shielded {
                    try await folder.mergeShardRecord(ShardRecord(shard: shard, pushedGroups: [group]), ordinal: ordinal)
                }
            case .fileIngested(let work, let rows):
                context.reportFileIngested(work, rows: rows)
            case .fileSkipped(let work, let error):
                context.reportFileSkipped(work, error)
            }
        }
        try Task.checkCancellation()
    }
}
