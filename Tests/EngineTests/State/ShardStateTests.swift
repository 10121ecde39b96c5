@testable import Engine
import Foundation
import Testing

/// The pure parts of shared state: the shard split, the merge of two workers' records of one
/// shard, the ledger rebuilt from its changes, and the lease decision.
@Suite("engine: shard split, ledger replay and lease, without concurrency")
struct ShardStateTests {
    @Test("groups are split by record count: the largest first to the lightest shard; every group once; the same for every caller")
    func balance() {
        let records: [Int64] = [100, 10, 90, 50, 50, 5, 0]
        let parts = ShardAssignment.balance(records: records, shards: 3)
        #expect(parts == [[0, 5], [1, 2, 6], [3, 4]])
        #expect(parts.flatMap { $0 }.sorted() == Array(0..<records.count))
        let loads = parts.map { $0.reduce(Int64(0)) { $0 + records[$1] } }
        #expect(loads.max()! - loads.min()! <= 10, "balanced: \(loads)")
        #expect(ShardAssignment.balance(records: records, shards: 1) == [Array(0..<7)])
        #expect(ShardAssignment.balance(records: [7, 7], shards: 4) == [[0], [1], [], []], "more shards than groups: the rest have none")
    }

    @Test("two workers of one shard merge their records: groups and segments united, done once either is done, never undone")
    func merge() {
        let a = ShardRecord(shard: 1, pushedGroups: [0, 2], segments: ["s0": 10, "s2": 10], done: true)
        let b = ShardRecord(shard: 1, pushedGroups: [1], segments: ["s1": 5, "s2": 10], done: false)
        let merged = b.merged(with: a)
        #expect(merged.pushedGroups == [0, 1, 2] && merged.segments.keys.sorted() == ["s0", "s1", "s2"] && merged.done && merged.rows == 25)
        #expect(a.merged(with: b) == merged)
    }

    static func entry(_ name: String, _ file: String, step: String = "s") -> LedgerEntry {
        LedgerEntry(segment: name, step: step, snapshotId: 1, group: 0, part: 0, rows: 10,
                    files: [FileRowSpan(path: file, rowGroups: 0..<1, rowRange: 0..<10)], pushedAt: "t")
    }

    @Test("the ledger replayed: a name pushed again replaces its entry in place; a swap removes and adds; a relink moves rows to new files")
    func replay() {
        var replay = LedgerReplay()
        replay.add(Self.entry("a", "f1"))
        replay.add(Self.entry("b", "f2"))
        replay.add(Self.entry("a", "f1b"))
        #expect(replay.entries.map(\.segment) == ["a", "b"] && replay.entries[0].files[0].path == "f1b")
        replay.apply(LedgerChange(removing: ["a"], adding: [Self.entry("c", "f3")]))
        #expect(replay.entries.map(\.segment) == ["b", "c"])
        replay.apply(LedgerChange(relinkRemoved: ["f2"], relinkAdded: [FileRowSpan(path: "f9", rowGroups: 0..<0, rowRange: 0..<10)]))
        #expect(replay.entries.map { $0.files.map(\.path) } == [["f9"], ["f3"]])
        #expect(LedgerReplay.segmentName(3, "x") == "ledger/0000000003/seg-x.json")
        #expect(LedgerReplay.ordinal(of: LedgerReplay.swapName(12)) == 12 && LedgerReplay.ordinal(of: "files/0000000007.json") == 7)
        #expect(LedgerReplay.segmentName(3, "x") < LedgerReplay.swapName(3), "a step's segments replay before its swap")
    }

    @Test("the lease: none is created, an expired one taken over, a live one refused with its holder and the time left")
    func lease() {
        let record = LeaseRecord(holder: "h:1:2", pid: 7, host: "pod-1", expiresAt: 1000, acquiredAt: "t")
        #expect(LeaseRecord.decide(nil, now: 5) == .create)
        #expect(LeaseRecord.decide(record, now: 1000) == .takeOver)
        #expect(LeaseRecord.decide(record, now: 990.5) == .refuse(pid: 7, host: "pod-1", secondsLeft: 10))
    }

    @Test("a checkpoint is written without the data lake's file map (each step's change is stored on its own) and still reads one that holds it")
    func checkpointFiles() throws {
        var checkpoint = TaskCheckpoint()
        checkpoint.ingestedFiles = ["s3://b/a.parquet": "e1"]
        checkpoint.steps = 4
        let text = String(decoding: try JSONEncoder().encode(checkpoint), as: UTF8.self)
        #expect(!text.contains("ingestedFiles") && text.contains("\"steps\":4"))
        let legacy = #"{"formatVersion": 1, "ingestedFiles": {"s3://b/a.parquet": "e1"}}"#
        let read = try JSONDecoder().decode(TaskCheckpoint.self, from: Data(legacy.utf8))
        #expect(read.ingestedFiles == ["s3://b/a.parquet": "e1"] && read.ordinal == 0)
    }
}

/// The ledger's base on a local folder: written once enough changes of completed steps pile
/// up, and read instead of them.
@Suite("engine: the ledger's base")
struct LedgerBaseTests {
    @Test("past the interval, a base holds the ledger as of the last completed step; the ledger reads the same before and after, and later changes apply on top")
    func base() async throws {
        let path = EngineFixtures.temporaryDirectory("ledger-base")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let folder = StateFolder(path)
        let count = StateFolder.ledgerBaseInterval + 10
        for ordinal in 0..<count {
            try await folder.record(ShardStateTests.entry("seg-\(ordinal)", "f\(ordinal)"), ordinal: ordinal)
        }
        try await folder.applySwap(removing: ["seg-3"], adding: [ShardStateTests.entry("seg-new", "g")], ordinal: count - 1)
        try await folder.record(ShardStateTests.entry("seg-open", "h"), ordinal: count)
        let before = try await folder.ledger()
        try await folder.compactLedger(completedSteps: count)
        let bases = try await folder.store.list("ledger/").filter { $0.hasSuffix("~~base.json") }
        #expect(bases == [LedgerReplay.baseName(count - 1)], "the base is at the last completed step, not the open one: \(bases)")
        #expect(try await folder.ledger() == before)
        #expect(before.count == count - 1 + 1 + 1 && !before.contains { $0.segment == "seg-3" })
        try await folder.applySwap(removing: ["seg-open"], adding: [], ordinal: count)
        #expect(try await folder.ledger().map(\.segment) == before.map(\.segment).filter { $0 != "seg-open" })
        try await folder.compactLedger(completedSteps: count + 1)
        #expect(try await folder.store.list("ledger/").filter { $0.hasSuffix("~~base.json") }.count == 1, "not again until the interval passes")
    }
}
