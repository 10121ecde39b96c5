@testable import Engine
import Testing

/// The cutter driven the way the build stage drives it, against a model builder that counts
/// rows and bytes: every test is a recorded sequence of events and the actions it produced.
struct CutterDrive {
    var cutter: SegmentCutter
    var size = SegmentCutter.BuilderSize.empty
    var bytesPerRow = 10
    var trace: [String] = []
    var cuts: [SegmentCutter.Cut] = []

    init(maxRows: Int, maxBytes: Int = 1 << 40, columnLimit: Int = 1_800_000_000, continueOnFileError: Bool = false) {
        cutter = SegmentCutter(table: "t", limits: .init(maxRows: maxRows, maxBytes: maxBytes, columnLimit: columnLimit),
                               continueOnFileError: continueOnFileError)
    }

    static func step(_ id: Int64 = 7) -> IngestionStep {
        IngestionStep(id: "snapshot-\(id)", kind: .added, action: .ingest, snapshotId: id, sequenceNumber: 1, afterSequenceNumber: nil,
                      operation: "append", files: [], groups: [])
    }

    mutating func start(_ step: IngestionStep = CutterDrive.step()) { cutter.stepStarted(step) }

    mutating func rowGroup(file: Int, group: Int = 0, rowGroup: Int, firstRow: Int, rows: Int, variableBytes: Int = 0, bytes: Int = 0,
                           step: String = "snapshot-7") {
        let shape = SegmentCutter.RowGroup(file: .init(stepId: step, index: file), path: "f\(file)", group: group, rowGroup: rowGroup,
                                           firstRow: firstRow, rows: rows, variableBytes: variableBytes, bytes: bytes)
        var action = cutter.rowGroup(shape, size: size)
        let perRow = rows > 0 ? variableBytes / rows : 0
        while true {
            switch action {
            case .append(let range):
                trace.append("append f\(file)#\(rowGroup) \(range.lowerBound)..<\(range.upperBound)")
                size.rows += range.count
                size.bytes += range.count * bytesPerRow
                size.largestColumn += range.count * perRow
                action = cutter.appended(size: size)
            case .seal(let cut):
                seal(cut)
                action = cutter.sealed(size: size)
            case .done:
                return
            case .drop:
                trace.append("drop f\(file)#\(rowGroup)")
                return
            }
        }
    }

    mutating func seal(_ cut: SegmentCutter.Cut) {
        trace.append("seal \(cut.name) \(size.rows) rows\(cut.completesGroup ? " (group complete)" : "")")
        cuts.append(cut)
        size = .empty
    }

    mutating func groupEnd(_ group: Int = 0) {
        switch cutter.groupEnded(group, size: size) {
        case .seal(let cut): seal(cut)
        case .groupComplete(let index): trace.append("group \(index) complete")
        }
    }

    mutating func fileEnd(_ file: Int, step: String = "snapshot-7") -> Int? { cutter.fileEnded(.init(stepId: step, index: file)) }

    mutating func fileFailed(_ file: Int, step: String = "snapshot-7") -> SegmentCutter.FileFailedAction {
        let action = cutter.fileFailed(.init(stepId: step, index: file), path: "f\(file)")
        if case .skip(let rows?) = action {
            size.rows = rows
            size.bytes = rows * bytesPerRow
        }
        return action
    }
}

@Suite("engine: the segment cutter")
struct SegmentCutterTests {
    @Test("one file, one row group: appended, sealed at the group's end under the step's name")
    func single() {
        var drive = CutterDrive(maxRows: 100)
        drive.start()
        drive.rowGroup(file: 0, rowGroup: 0, firstRow: 0, rows: 40)
        #expect(drive.fileEnd(0) == 40)
        drive.groupEnd()
        #expect(drive.trace == ["append f0#0 0..<40", "seal t_7_00000_0 40 rows (group complete)"])
        #expect(drive.cuts.first?.files == [FileRowSpan(path: "f0", rowGroups: 0..<1, rowRange: 0..<40)])
        #expect(drive.cuts.first?.snapshotId == 7 && drive.cuts.first?.stepId == "snapshot-7")
    }

    @Test("a row group that would pass maxRows starts a new part: the cut falls on the row-group boundary")
    func rowGroupBoundary() {
        var drive = CutterDrive(maxRows: 100)
        drive.start()
        drive.rowGroup(file: 0, rowGroup: 0, firstRow: 0, rows: 60)
        drive.rowGroup(file: 0, rowGroup: 1, firstRow: 60, rows: 60)
        drive.rowGroup(file: 0, rowGroup: 2, firstRow: 120, rows: 40)
        #expect(drive.fileEnd(0) == 160)
        drive.groupEnd()
        #expect(drive.trace == [
            "append f0#0 0..<60", "seal t_7_00000_0 60 rows",
            "append f0#1 0..<60", "append f0#2 0..<40", "seal t_7_00000_1 100 rows",
            "group 0 complete",
        ])
        #expect(drive.cuts.map(\.files) == [
            [FileRowSpan(path: "f0", rowGroups: 0..<1, rowRange: 0..<60)],
            [FileRowSpan(path: "f0", rowGroups: 1..<3, rowRange: 60..<160)],
        ])
        #expect(drive.cuts.map(\.completesGroup) == [false, false], "the last part filled up: the group completes without a segment")
    }

    @Test("a row group larger than a segment is appended in slices, each part sealed full")
    func slices() {
        var drive = CutterDrive(maxRows: 100)
        drive.start()
        drive.rowGroup(file: 0, rowGroup: 0, firstRow: 0, rows: 250)
        drive.groupEnd()
        #expect(drive.trace == [
            "append f0#0 0..<100", "seal t_7_00000_0 100 rows", "append f0#0 100..<200", "seal t_7_00000_1 100 rows",
            "append f0#0 200..<250", "seal t_7_00000_2 50 rows (group complete)",
        ])
        #expect(drive.cuts.map { $0.files.map(\.rowRange) } == [[[0, 100]], [[100, 200]], [[200, 250]]])
        #expect(drive.cuts.allSatisfy { $0.files.map(\.rowGroups) == [[0, 1]] })
    }

    @Test("maxBytes seals after the row group that reaches it")
    func bytes() {
        var drive = CutterDrive(maxRows: 1000, maxBytes: 500)
        drive.start()
        drive.rowGroup(file: 0, rowGroup: 0, firstRow: 0, rows: 30)
        drive.rowGroup(file: 0, rowGroup: 1, firstRow: 30, rows: 30)
        drive.rowGroup(file: 1, rowGroup: 0, firstRow: 0, rows: 10)
        drive.groupEnd()
        #expect(drive.trace == ["append f0#0 0..<30", "append f0#1 0..<30", "seal t_7_00000_0 60 rows",
                                "append f1#0 0..<10", "seal t_7_00000_1 10 rows (group complete)"])
    }

    @Test("a row group whose decoded bytes pass maxBytes is cut at the byte target, as the row limit cuts")
    func bytesWithinRowGroup() {
        var drive = CutterDrive(maxRows: 1000, maxBytes: 300)
        drive.start()
        drive.rowGroup(file: 0, rowGroup: 0, firstRow: 0, rows: 5, bytes: 50)
        drive.rowGroup(file: 0, rowGroup: 1, firstRow: 5, rows: 100, bytes: 1000)
        drive.groupEnd()
        #expect(drive.trace == [
            "append f0#0 0..<5", "seal t_7_00000_0 5 rows",
            "append f0#1 0..<30", "seal t_7_00000_1 30 rows", "append f0#1 30..<60", "seal t_7_00000_2 30 rows",
            "append f0#1 60..<90", "seal t_7_00000_3 30 rows", "append f0#1 90..<100", "seal t_7_00000_4 10 rows",
            "group 0 complete",
        ])
    }

    @Test("a column near the 2 GiB limit: a wide row group is sliced and sealed at half the limit")
    func columnLimit() {
        var drive = CutterDrive(maxRows: 1000, columnLimit: 1000)
        drive.start()
        drive.rowGroup(file: 0, rowGroup: 0, firstRow: 0, rows: 100, variableBytes: 2000)
        drive.groupEnd()
        // 20 bytes a row, half the limit is 500 bytes: slices of 25 rows, each sealing the part.
        #expect(drive.cuts.count == 4)
        #expect(drive.cuts.map { $0.files.map(\.rows) } == [[25], [25], [25], [25]])
        #expect(drive.trace.last == "group 0 complete", "the last slice filled its part too")
    }

    @Test("a file that fails mid-group is taken back out; its later row groups and end are dropped")
    func failedMidGroup() {
        var drive = CutterDrive(maxRows: 1000, continueOnFileError: true)
        drive.start()
        drive.rowGroup(file: 0, rowGroup: 0, firstRow: 0, rows: 20)
        #expect(drive.fileEnd(0) == 20)
        drive.rowGroup(file: 1, rowGroup: 0, firstRow: 0, rows: 30)
        #expect(drive.fileFailed(1) == .skip(truncateTo: 20))
        #expect(drive.fileFailed(1) == .ignore, "a second failure of the same file")
        drive.rowGroup(file: 1, rowGroup: 1, firstRow: 30, rows: 30)
        #expect(drive.fileEnd(1) == nil)
        drive.rowGroup(file: 2, rowGroup: 0, firstRow: 0, rows: 5)
        #expect(drive.fileEnd(2) == 5)
        drive.groupEnd()
        #expect(drive.trace == ["append f0#0 0..<20", "append f1#0 0..<30", "drop f1#1", "append f2#0 0..<5",
                                "seal t_7_00000_0 25 rows (group complete)"])
        #expect(drive.cuts.first?.files.map(\.path) == ["f0", "f2"])
    }

    @Test("a file whose footer failed is skipped with nothing to take back")
    func failedBeforeRows() {
        var drive = CutterDrive(maxRows: 1000, continueOnFileError: true)
        drive.start()
        drive.rowGroup(file: 0, rowGroup: 0, firstRow: 0, rows: 20)
        _ = drive.fileEnd(0)
        #expect(drive.fileFailed(1) == .skip(truncateTo: nil))
        drive.groupEnd()
        #expect(drive.cuts.first?.files.map(\.rows) == [20])
    }

    @Test("a failed file ends the run without continueOnFileError, and with it once its rows are in a sealed part")
    func failures() {
        var strict = CutterDrive(maxRows: 1000)
        strict.start()
        strict.rowGroup(file: 0, rowGroup: 0, firstRow: 0, rows: 20)
        #expect(strict.fileFailed(0) == .fail)

        var sealed = CutterDrive(maxRows: 50, continueOnFileError: true)
        sealed.start()
        sealed.rowGroup(file: 0, rowGroup: 0, firstRow: 0, rows: 50)
        sealed.rowGroup(file: 0, rowGroup: 1, firstRow: 50, rows: 10)
        #expect(sealed.fileFailed(0) == .failSealed)
    }

    @Test("an empty group completes without a segment; a new group starts its parts at 0; a new step names its own")
    func groupsAndSteps() {
        var drive = CutterDrive(maxRows: 100)
        drive.start()
        drive.groupEnd(0)
        drive.rowGroup(file: 1, group: 1, rowGroup: 0, firstRow: 0, rows: 150)
        drive.groupEnd(1)
        drive.start(CutterDrive.step(8))
        drive.rowGroup(file: 0, group: 0, rowGroup: 0, firstRow: 0, rows: 10, step: "snapshot-8")
        drive.groupEnd(0)
        #expect(drive.trace.filter { !$0.hasPrefix("append") } == [
            "group 0 complete", "seal t_7_00001_0 100 rows", "seal t_7_00001_1 50 rows (group complete)",
            "seal t_8_00000_0 10 rows (group complete)",
        ])
    }

    @Test("an empty row group adds nothing, and its file still ends with its rows")
    func emptyRowGroup() {
        var drive = CutterDrive(maxRows: 100)
        drive.start()
        drive.rowGroup(file: 0, rowGroup: 0, firstRow: 0, rows: 0)
        drive.rowGroup(file: 0, rowGroup: 1, firstRow: 0, rows: 7)
        #expect(drive.fileEnd(0) == 7)
        drive.groupEnd()
        #expect(drive.cuts.first?.files == [FileRowSpan(path: "f0", rowGroups: 1..<2, rowRange: 0..<7)])
    }
}
