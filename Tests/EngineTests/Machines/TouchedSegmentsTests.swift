@testable import Engine
import Testing

@Suite("engine: which segments a change touches")
struct TouchedSegmentsTests {
    private func entry(_ segment: String, _ files: [String], group: Int = 0) -> LedgerEntry {
        LedgerEntry(segment: segment, step: "s", snapshotId: 1, group: group, part: 0, rows: 10,
                    files: files.map { FileRowSpan(path: $0, rowGroups: 0..<1, rowRange: 0..<10) }, pushedAt: "")
    }

    @Test("a removed file touches its segments, and every segment sharing a file with them; the rest stay")
    func closure() {
        let ledger = [entry("a", ["f1", "f2"]), entry("b", ["f2"]), entry("c", ["f3"]), entry("d", ["f4", "f5"]), entry("e", ["f5"])]
        let touched = TouchedSegments(ledger: ledger, removed: ["f1"])
        #expect(touched.segments == ["a", "b"] && touched.remainingFiles == ["f2"])
        let two = TouchedSegments(ledger: ledger, removed: ["f4", "f3"])
        #expect(two.segments == ["c", "d", "e"] && two.remainingFiles == ["f5"])
        #expect(TouchedSegments(ledger: ledger, removed: ["nowhere"]).segments.isEmpty)
        let forced = TouchedSegments(ledger: ledger, removed: [], forced: ["e"])
        #expect(forced.segments == ["d", "e"] && forced.remainingFiles == ["f4", "f5"])
    }

    @Test("a compaction links every segment that held a compacted file to all the new files")
    func relink() {
        let ledger = [entry("a", ["f1"]), entry("b", ["f2"]), entry("c", ["f3"])]
        let new = [FileRowSpan(path: "n1", rowGroups: 0..<0, rowRange: 0..<15), FileRowSpan(path: "n2", rowGroups: 0..<0, rowRange: 0..<5)]
        let relinked = ledger.relinked(removed: ["f1", "f2"], added: new)
        #expect(relinked.map { $0.files.map(\.path) } == [["n1", "n2"], ["n1", "n2"], ["f3"]])
        let touched = TouchedSegments(ledger: relinked, removed: ["n2"])
        #expect(touched.segments == ["a", "b"] && touched.remainingFiles == ["n1"], "a later delete of a new file rebuilds both from what is left")
    }
}
