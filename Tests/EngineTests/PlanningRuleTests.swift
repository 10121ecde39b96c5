@testable import Engine
import Foundation
import Testing

/// The grouping rule and segment names depend only on the file list and record counts.
@Suite("engine: grouping and names")
struct PlanningRuleTests {
    static func files(_ counts: [Int64]) -> [PlannedFile] {
        counts.enumerated().map { PlannedFile(path: "s3://b/t/data/f\($0.offset).parquet", size: 100, recordCount: $0.element) }
    }

    @Test("files join a group while their rows fit; a larger file is a group of its own")
    func grouping() {
        let groups = SegmentGrouping.groups(Self.files([40, 50, 20, 200, 10, 95, 5, 0]), maxRows: 100)
        #expect(groups.map(\.files) == [0..<2, 2..<3, 3..<4, 4..<5, 5..<8])
        #expect(groups.map(\.records) == [90, 20, 200, 10, 100])
        #expect(groups.map(\.index) == Array(0..<5))
        #expect(SegmentGrouping.groups([], maxRows: 10).isEmpty)
        // Any prefix of the run gives the same groups: never on what a previous run finished.
        let all = SegmentGrouping.groups(Self.files([30, 30, 30, 30, 30]), maxRows: 60)
        #expect(all.map(\.files) == [0..<2, 2..<4, 4..<5])
    }

    @Test("path order is UTF-8 byte order")
    func pathOrder() {
        let paths = ["s3://b/a/z.parquet", "s3://b/a/Z.parquet", "s3://b/a/é.parquet", "s3://b/a/e\u{301}.parquet", "s3://b/a/a b.parquet"]
        let sorted = paths.map { PlannedFile(path: $0, size: 1, recordCount: 1) }.sorted(by: SegmentGrouping.pathOrder).map(\.path)
        #expect(sorted == paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    @Test("names: table, snapshot, group and part; valid Pinot names, all distinct")
    func names() throws {
        let step = IngestionStep(id: "snapshot-1234", kind: .added, action: .ingest, snapshotId: 1234, sequenceNumber: 3,
                                 afterSequenceNumber: nil, operation: "append", files: [], groups: [])
        #expect(SegmentNaming.name(table: "orders", step: step, group: 7, part: 0) == "orders_1234_00007_0")
        #expect(SegmentNaming.name(table: "orders", step: step, group: 123_456, part: 2) == "orders_1234_123456_2")
        var negative = step
        negative.snapshotId = -42
        #expect(SegmentNaming.name(table: "orders", step: negative, group: 0, part: 0) == "orders_-42_00000_0")
        var lake = step
        lake.snapshotId = nil
        lake.id = "lake-0123456789abcdef"
        #expect(SegmentNaming.name(table: "events", step: lake, group: 1, part: 0) == "events_0123456789abcdef_00001_0")
        var seen = Set<String>()
        for group in 0..<50 { for part in 0..<4 { #expect(seen.insert(SegmentNaming.name(table: "t", step: step, group: group, part: part)).inserted) } }
    }
}
