/// What a rerun does with a swap a killed run began (DESIGN.md: "a rerun after a kill in
/// between finishes the swap"): when the target had completed it — the controller's lineage
/// entry is COMPLETED, or every new tarball is in the output folder — the swap is finished
/// (the old tarballs removed, the ledger and checkpoint moved). Otherwise the record stays:
/// the step runs again, builds the same segments under the same names, and the push stage
/// carries on with the recorded swap (pushing a name again replaces it) instead of starting
/// another — a reverted lineage entry would hide segments that reuse its names.
enum SwapRecovery {
    /// The checkpoint to plan from.
    static func settle(_ checkpoint: TaskCheckpoint?, pusher: any SegmentPusher, folder: StateFolder) async throws -> TaskCheckpoint? {
        guard let checkpoint, let progress = checkpoint.inProgress, let swap = progress.swap else { return checkpoint }
        let from = progress.replaces ?? []
        let to = swap.segmentsTo.map(\.segment)
        var machine = CheckpointMachine(checkpoint: checkpoint, tableUUID: checkpoint.tableUUID)
        guard try await pusher.swapCompleted(id: swap.lineageId, from: from, to: to) else { return checkpoint }
        try await pusher.endSwap(id: swap.lineageId, from: from, to: to)
        try await folder.applySwap(removing: from, adding: swap.segmentsTo, ordinal: checkpoint.ordinal)
        let settled = machine.inProgressEnded()
        try await folder.save(settled)
        return settled
    }
}
