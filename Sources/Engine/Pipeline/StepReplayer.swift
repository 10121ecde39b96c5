/// Stage 1: the run's plan as work, in order. Discovery itself (the catalog or the listing,
/// ``StepPlanner``) happens before the stages start, because the segment builder needs the
/// table's schema and the target's table config first; this stage replays the finished plan:
/// each step's start, its files group by group in path order (groups an earlier run already
/// pushed are left out), each group's end, the step's end.
struct StepReplayer: Sendable {
    let plan: RunPlan

    /// The steps' work items, in the order the stages see them.
    static func work(_ steps: [IngestionStep]) -> [DiscoveredWork] {
        var items: [DiscoveredWork] = []
        for step in steps {
            items.append(.stepStarted(step))
            if step.action == .ingest {
                for group in step.groups where !step.pushedGroups.contains(group.index) {
                    for index in group.files {
                        items.append(.file(FileWork(stepId: step.id, group: group.index, index: index, file: step.files[index])))
                    }
                    items.append(.groupEnd(stepId: step.id, group: group.index))
                }
            }
            items.append(.stepEnd(step))
        }
        return items
    }

    func run(output: StageChannel.Sender<DiscoveredWork>) async throws {
        defer { output.finish() }
        FaultInjection.reached("after-discovery")
        for item in Self.work(plan.steps) { try await output.send(item) }
    }
}
