@testable import Engine
import Testing

@Suite("engine: the checkpoint machine")
struct CheckpointMachineTests {
    static func step(_ snapshot: Int64, groups: Int, kind: IngestionStep.Kind = .added, action: IngestionStep.Action = .ingest) -> IngestionStep {
        let files = (0..<groups).map { PlannedFile(path: "s3://b/t/data/\(snapshot)-\($0).parquet", size: 100, recordCount: 50, etag: "e\($0)") }
        return IngestionStep(id: kind == .dataLake ? "lake-\(snapshot)" : "snapshot-\(snapshot)", kind: kind, action: action,
                             snapshotId: kind == .dataLake ? nil : snapshot, sequenceNumber: snapshot + 100, afterSequenceNumber: nil,
                             operation: "append", files: files, groups: SegmentGrouping.groups(files, maxRows: 50))
    }

    static func cut(_ step: IngestionStep, group: Int, part: Int = 0, completes: Bool) -> SegmentCutter.Cut {
        SegmentCutter.Cut(name: SegmentNaming.name(table: "t", step: step, group: group, part: part), stepId: step.id,
                          snapshotId: step.snapshotId, group: group, part: part,
                          files: [FileRowSpan(path: step.files[group].path, rowGroups: 0..<1, rowRange: 0..<50)], completesGroup: completes)
    }

    @Test("a step with groups is saved as in progress when it starts; a no-op, an empty step or the step already in progress is not")
    func stepStart() {
        var machine = CheckpointMachine(checkpoint: TaskCheckpoint(), tableUUID: "uuid-1")
        let step = Self.step(5, groups: 2)
        let saved = machine.stepStarted(step)
        #expect(saved?.inProgress?.stepId == "snapshot-5")
        #expect(saved?.inProgress?.groupCount == 2 && saved?.inProgress?.pushedGroups == [])
        #expect(saved?.tableUUID == "uuid-1")
        #expect(machine.stepStarted(step) == nil, "a rerun keeps the groups it recorded")
        #expect(machine.stepStarted(Self.step(6, groups: 2, action: .noOp)) == nil)
        #expect(machine.stepStarted(Self.step(7, groups: 0)) == nil)
    }

    @Test("a pushed segment is a ledger entry; the group's last part also saves the group as pushed")
    func pushes() {
        let step = Self.step(5, groups: 3)
        var machine = CheckpointMachine(checkpoint: TaskCheckpoint(), tableUUID: nil)
        _ = machine.stepStarted(step)
        let first = machine.pushed(Self.cut(step, group: 1, part: 0, completes: false), rows: 30, at: "T1")
        #expect(first.checkpoint == nil && !first.replacesLedgerEntry)
        #expect(first.ledger == LedgerEntry(segment: "t_5_00001_0", step: "snapshot-5", snapshotId: 5, group: 1, part: 0, rows: 30,
                                            files: [FileRowSpan(path: step.files[1].path, rowGroups: 0..<1, rowRange: 0..<50)], pushedAt: "T1"))
        let last = machine.pushed(Self.cut(step, group: 1, part: 1, completes: true), rows: 20, at: "T2")
        #expect(last.checkpoint?.inProgress?.pushedGroups == [1])
        #expect(machine.groupCompleted(0)?.inProgress?.pushedGroups == [0, 1], "kept sorted")
        #expect(machine.groupCompleted(0)?.inProgress?.pushedGroups == [0, 1], "a group completed twice counts once")
        let done = machine.stepEnded(step)
        #expect(done.snapshotId == 5 && done.sequenceNumber == 105 && done.inProgress == nil)
    }

    @Test("a segment the ledger already names (pushed by an interrupted run) replaces its entry")
    func pushedAgain() {
        let step = Self.step(5, groups: 2)
        var machine = CheckpointMachine(checkpoint: TaskCheckpoint(), tableUUID: nil, recorded: ["t_5_00000_0"])
        #expect(machine.pushed(Self.cut(step, group: 0, completes: true), rows: 50, at: "T").replacesLedgerEntry)
        #expect(!machine.pushed(Self.cut(step, group: 1, completes: true), rows: 50, at: "T").replacesLedgerEntry)
        #expect(machine.pushed(Self.cut(step, group: 1, completes: true), rows: 50, at: "T").replacesLedgerEntry, "pushed twice in one run")
    }

    @Test("a group completed with no step in progress saves nothing")
    func noStep() {
        var machine = CheckpointMachine(checkpoint: TaskCheckpoint(), tableUUID: nil)
        #expect(machine.groupCompleted(0) == nil)
    }

    @Test("a data lake step records its files and ETags, and keeps the snapshot")
    func dataLake() {
        var start = TaskCheckpoint()
        start.ingestedFiles = ["s3://b/old.parquet": "x"]
        var machine = CheckpointMachine(checkpoint: start, tableUUID: nil)
        let step = Self.step(1, groups: 2, kind: .dataLake)
        _ = machine.stepStarted(step)
        #expect(machine.checkpoint.inProgress?.files?.map(\.uri) == step.files.map(\.path), "the listing is kept for a rerun")
        let done = machine.stepEnded(step)
        #expect(done.snapshotId == nil)
        #expect(done.ingestedFiles == ["s3://b/old.parquet": "x", step.files[0].path: "e0", step.files[1].path: "e1"])
    }
}

/// The whole pipeline's decisions without I/O: the replayer's work items, row groups of 20 rows
/// per file, the cutter and the checkpoint machine, writing checkpoints and ledger entries in
/// the order the push stage writes them. A kill is a cut of that write sequence.
@Suite("engine: runs replayed through the machines, killed at every write")
struct ReplayedRunTests {
    enum Write: Equatable {
        case checkpoint(TaskCheckpoint)
        case ledger(LedgerEntry, replaces: Bool)
    }

    /// The steps a planner makes from `checkpoint`: done steps left out, the step in progress
    /// with its pushed groups.
    static func plan(_ all: [IngestionStep], from checkpoint: TaskCheckpoint) -> [IngestionStep] {
        all.filter { ($0.snapshotId ?? 0) > (checkpoint.snapshotId ?? 0) }.map { step in
            var step = step
            if let progress = checkpoint.inProgress, progress.stepId == step.id, progress.groupCount == step.groups.count {
                step.pushedGroups = Set(progress.pushedGroups)
            }
            return step
        }
    }

    static func run(_ steps: [IngestionStep], from checkpoint: TaskCheckpoint, recorded: Set<String> = [], maxRows: Int) -> [Write] {
        var cutter = SegmentCutter(table: "t", limits: .init(maxRows: maxRows, maxBytes: 1 << 40), continueOnFileError: false)
        var machine = CheckpointMachine(checkpoint: checkpoint, tableUUID: "uuid", recorded: recorded)
        var writes: [Write] = []
        var rows = 0
        func pushed(_ cut: SegmentCutter.Cut) {
            let outcome = machine.pushed(cut, rows: rows, at: "T")
            rows = 0
            writes.append(.ledger(outcome.ledger, replaces: outcome.replacesLedgerEntry))
            if let saved = outcome.checkpoint { writes.append(.checkpoint(saved)) }
        }
        for item in StepReplayer.work(steps) {
            switch item {
            case .stepStarted(let step):
                cutter.stepStarted(step)
                if let saved = machine.stepStarted(step) { writes.append(.checkpoint(saved)) }
            case .file(let work):
                let key = SegmentCutter.FileKey(stepId: work.stepId, index: work.index)
                for rowGroup in 0..<Int(work.file.recordCount / 20) {
                    let shape = SegmentCutter.RowGroup(file: key, path: work.file.path, group: work.group, rowGroup: rowGroup,
                                                       firstRow: rowGroup * 20, rows: 20, variableBytes: 0)
                    var action = cutter.rowGroup(shape, size: .init(rows: rows, bytes: rows, largestColumn: 0))
                    while true {
                        switch action {
                        case .append(let range):
                            rows += range.count
                            action = cutter.appended(size: .init(rows: rows, bytes: rows, largestColumn: 0))
                        case .seal(let cut):
                            pushed(cut)
                            action = cutter.sealed(size: .empty)
                        case .done, .drop:
                            action = .done
                        }
                        if action == .done { break }
                    }
                }
                _ = cutter.fileEnded(key)
            case .groupEnd(_, let group):
                switch cutter.groupEnded(group, size: .init(rows: rows, bytes: rows, largestColumn: 0)) {
                case .seal(let cut): pushed(cut)
                case .groupComplete(let index): if let saved = machine.groupCompleted(index) { writes.append(.checkpoint(saved)) }
                }
            case .stepEnd(let step):
                writes.append(.checkpoint(machine.stepEnded(step)))
            }
        }
        return writes
    }

    static func ledger(_ writes: [Write]) -> [String: LedgerEntry] {
        var latest: [String: LedgerEntry] = [:]
        for case .ledger(let entry, _) in writes { latest[entry.segment] = entry }
        return latest
    }

    static func lastCheckpoint(_ writes: some Sequence<Write>) -> TaskCheckpoint {
        var last = TaskCheckpoint()
        for case .checkpoint(let saved) in writes { last = saved }
        return last
    }

    static let steps: [IngestionStep] = [Int64(3), 4].map { (snapshot: Int64) in
        let files = (0..<5).map { PlannedFile(path: "s3://b/t/\(snapshot)/f\($0).parquet", size: 10, recordCount: $0 == 2 ? Int64(100) : Int64(40)) }
        return IngestionStep(id: "snapshot-\(snapshot)", kind: .added, action: .ingest, snapshotId: snapshot, sequenceNumber: snapshot,
                             afterSequenceNumber: nil, operation: "append", files: files, groups: SegmentGrouping.groups(files, maxRows: 60))
    }

    @Test("an uninterrupted run: a segment per part, every group checkpointed, the last snapshot at the end")
    func uninterrupted() {
        let writes = Self.run(Self.steps, from: TaskCheckpoint(), maxRows: 60)
        let ledger = Self.ledger(writes)
        // Per step: groups [f0], [f1], [f2 (100 rows: parts of 60 and 40)], [f3], [f4].
        #expect(ledger.count == 12)
        #expect(ledger.values.reduce(0) { $0 + $1.rows } == 2 * 260)
        #expect(ledger["t_3_00002_1"]?.files == [FileRowSpan(path: "s3://b/t/3/f2.parquet", rowGroups: 3..<5, rowRange: 60..<100)])
        let final = Self.lastCheckpoint(writes)
        #expect(final.snapshotId == 4 && final.inProgress == nil)
    }

    /// Kill points: after every write (a segment pushed and recorded but its group not yet
    /// checkpointed is one of them); the rerun plans from the last checkpoint written.
    @Test("killed after any write, the rerun ends with the same checkpoint and the same segments")
    func killedAnywhere() {
        let full = Self.run(Self.steps, from: TaskCheckpoint(), maxRows: 60)
        let expected = Self.ledger(full)
        var betweenPushAndCheckpoint = 0
        for kill in 0...full.count {
            let before = full[..<kill]
            if case .ledger? = before.last, kill < full.count, case .checkpoint = full[kill] { betweenPushAndCheckpoint += 1 }
            let checkpoint = Self.lastCheckpoint(before)
            let recorded = Set(before.compactMap { if case .ledger(let e, _) = $0 { e.segment } else { nil } })
            let rerun = Self.run(Self.plan(Self.steps, from: checkpoint), from: checkpoint, recorded: recorded, maxRows: 60)
            // The ledger file as the state folder keeps it: a replacing entry takes its old line's place.
            var lines: [String] = []
            for case .ledger(let entry, let replaces) in Array(before) + rerun {
                #expect(replaces == lines.contains(entry.segment), "killed after write \(kill): \(entry.segment)")
                if !replaces { lines.append(entry.segment) }
            }
            #expect(lines.count == expected.count, "killed after write \(kill): one ledger line per segment")
            let ledger = Self.ledger(Array(before) + rerun)
            #expect(ledger == expected, "killed after write \(kill)")
            #expect(Self.lastCheckpoint(Array(before) + rerun) == Self.lastCheckpoint(full), "killed after write \(kill)")
            let pushedAgain = Set(rerun.compactMap { if case .ledger(let e, _) = $0 { e.segment } else { nil } }).intersection(recorded)
            for name in pushedAgain {
                #expect(checkpoint.inProgress?.pushedGroups.contains(expected[name]!.group) != true,
                        "only segments of groups not checkpointed are pushed again (\(name))")
            }
        }
        #expect(betweenPushAndCheckpoint >= 6, "the kills include the point between a group's last push and its checkpoint")
    }
}
