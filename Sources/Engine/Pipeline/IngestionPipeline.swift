/// DESIGN.md's flow, wired: the plan replayed → footers read → row groups decoded (+
/// projection) → segments built → pushed, five stages in one task group, joined by bounded
/// channels whose watermarks are the backpressure:
///
/// - replay → footers: up to 64 work items (files and markers);
/// - footers → decode: up to `fetchConcurrency` opened files;
/// - decode → build: by bytes, up to half of `decodedBytesInFlight` (the decode window holds
///   the rest);
/// - build → push: `sealedSegmentsInFlight` sealed segments (markers weigh nothing).
///
/// Each stage is built inside its own child task and owned by it. The first stage to fail
/// cancels the others; a push that has started still completes.
enum IngestionPipeline {
    /// What the last stage does with sealed segments: push and checkpoint them (a task's run),
    /// or push and record them as one shard's part of a step.
    enum Ending: Sendable {
        case checkpointed(TaskCheckpoint)
        case shard(Int, ordinal: Int)
    }

    static func run(context: PipelineContext, pusher: any SegmentPusher, folder: StateFolder, checkpoint: TaskCheckpoint) async throws {
        try await run(context: context, pusher: pusher, folder: folder, ending: .checkpointed(checkpoint))
    }

    static func run(context: PipelineContext, pusher: any SegmentPusher, folder: StateFolder, ending: Ending) async throws {
        let options = context.configuration.pipeline
        let (discovered, discoveredInput) = StageChannel.make(DiscoveredWork.self, low: 16, high: 64)
        let (fetched, fetchedInput) = StageChannel.make(FetchedWork.self, low: 1, high: max(1, options.fetchConcurrency))
        let half = max(1, options.decodedBytesInFlight / 2)
        let (decoded, decodedInput) = StageChannel.make(DecodedWork.self, low: max(1, half / 2), high: half, weight: { $0.weight })
        let (built, builtInput) = StageChannel.make(BuiltWork.self, low: 1, high: options.sealedSegmentsInFlight, weight: { item in
            if case .sealed = item { return 1 }
            return 0
        })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await StepReplayer(plan: context.plan).run(output: discovered) }
            group.addTask {
                try await FooterReaderStage(concurrency: options.fetchConcurrency, context: context).run(input: discoveredInput, output: fetched)
            }
            group.addTask {
                try await RowGroupDecodeStage(concurrency: options.decodeConcurrency, context: context).run(input: fetchedInput, output: decoded)
            }
            group.addTask {
                var stage = try SegmentBuildStage(context: context)
                try await stage.run(input: decodedInput, output: built)
            }
            group.addTask {
                switch ending {
                case .checkpointed(let checkpoint):
                    var stage = try await PushStage(context: context, pusher: pusher, folder: folder, checkpoint: checkpoint)
                    try await stage.run(input: builtInput)
                case .shard(let shard, let ordinal):
                    var stage = ShardPushStage(context: context, pusher: pusher, folder: folder, shard: shard, ordinal: ordinal)
                    try await stage.run(input: builtInput)
                }
            }
            do {
                for try await _ in group {}
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
