import Foundation

/// DESIGN.md's flow, wired: discovery → fetch → decode (+ projection) → segment building →
/// push, five stages in one task group, joined by bounded channels:
///
/// - discovery → fetch: up to 64 work items (files and markers);
/// - fetch → decode: up to `fetchConcurrency` opened files;
/// - decode → build: by bytes, up to half of `decodedBytesInFlight` (the decode window holds
///   the other half);
/// - build → push: `sealedSegmentsInFlight` sealed segments (markers weigh nothing).
///
/// The first stage to fail cancels the others; a push that has started still completes.
enum IngestionPipeline {
    static func run(context: PipelineContext, pusher: any SegmentPusher, folder: StateFolder, checkpoint: TaskCheckpoint) async throws {
        let options = context.configuration.pipeline
        let (discovered, discoveredInput) = StageChannel.make(DiscoveredWork.self, low: 16, high: 64)
        let (fetched, fetchedInput) = StageChannel.make(FetchedWork.self, low: 1, high: max(1, options.fetchConcurrency))
        let half = max(1, options.decodedBytesInFlight / 2)
        let (decoded, decodedInput) = StageChannel.make(DecodedWork.self, low: max(1, half / 2), high: half, weight: { $0.weight })
        let (built, builtInput) = StageChannel.make(BuiltWork.self, low: 1, high: options.sealedSegmentsInFlight, weight: { item in
            if case .sealed = item { return 1 }
            return 0
        })
        let builder = try SegmentBuilderStage(context: context)
        let pushStage = PushStage(context: context, pusher: pusher, folder: folder, checkpoint: checkpoint, progress: context.progress)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await SnapshotWatcher(plan: context.plan).run(output: discovered) }
            group.addTask {
                try await FileFetcher(concurrency: options.fetchConcurrency, context: context).run(input: discoveredInput, output: fetched)
            }
            group.addTask {
                try await ParquetDecoderStage(concurrency: options.decodeConcurrency, bytesInFlight: half, context: context)
                    .run(input: fetchedInput, output: decoded)
            }
            group.addTask { try await builder.run(input: decodedInput, output: built) }
            group.addTask { try await pushStage.run(input: builtInput) }
            do {
                for try await _ in group {}
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}

/// Stage 1: the run's steps as work, in order: each step's start, its files group by group in
/// path order (groups an earlier run already pushed are left out), each group's end, the step's
/// end.
struct SnapshotWatcher: Sendable {
    let plan: RunPlan

    func run(output: StageChannel.Sender<DiscoveredWork>) async throws {
        defer { output.finish() }
        FaultInjection.reached("after-discovery")
        for step in plan.steps {
            try await output.send(.stepStarted(step))
            if step.action == .ingest {
                for group in step.groups where !step.pushedGroups.contains(group.index) {
                    for index in group.files {
                        try await output.send(.file(FileWork(stepId: step.id, group: group.index, index: index, file: step.files[index])))
                    }
                    try await output.send(.groupEnd(stepId: step.id, group: group.index))
                }
            }
            try await output.send(.stepEnd(step))
        }
    }
}
