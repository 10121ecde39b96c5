/// Where segments are cut (DESIGN.md, "Snapshots, checkpoints and exactly once"), as a pure
/// state machine: row groups arrive in file and row-group order with the markers of their step
/// and group, and the cutter says what the build stage does with them — append these rows of
/// the row group, seal the open segment under this name, take a failed file back out, or end
/// the run.
///
/// A segment is sealed at its group's end; before a row group that would take it past
/// `maxRows` rows, or a column past `columnLimit` bytes (so a file larger than a segment is
/// split at row-group boundaries); and once it holds `maxRows` rows or `maxBytes` bytes. A row
/// group larger than a segment (in rows, in a column's bytes, or decoded bytes past
/// `maxBytes`) is appended in slices, each slice a segment of its own. Part k of group g is named by
/// ``SegmentNaming``: the cuts depend only on the data, so a rerun seals the same segments
/// under the same names.
///
/// The cutter never sees the builder: each event carries the builder's size after the last
/// action was carried out.
struct SegmentCutter {
    struct Limits: Equatable {
        var maxRows: Int
        var maxBytes: Int
        /// A column stops growing well before Pinot's 2 GiB buffer limits.
        var columnLimit = 1_800_000_000
    }

    /// The open segment's size, as the builder reports it.
    struct BuilderSize: Equatable {
        var rows: Int
        var bytes: Int
        var largestColumn: Int

        static let empty = BuilderSize(rows: 0, bytes: 0, largestColumn: 0)
    }

    /// A data file of a step.
    struct FileKey: Hashable {
        var stepId: String
        var index: Int
    }

    /// A decoded row group, as far as cutting is concerned.
    struct RowGroup: Equatable {
        var file: FileKey
        var path: String
        var group: Int
        var rowGroup: Int
        /// The row group's first row in its file.
        var firstRow: Int
        var rows: Int
        /// The most variable-width bytes (strings, bytes) one of its columns holds.
        var variableBytes: Int
        /// Its decoded size.
        var bytes: Int = 0
    }

    /// A segment to seal: its name and what it holds.
    struct Cut: Equatable {
        var name: String
        var stepId: String
        var snapshotId: Int64?
        var group: Int
        var part: Int
        var files: [FileRowSpan]
        /// The group's last part: once pushed, the group is complete.
        var completesGroup: Bool
        /// The rows row-level deletes removed from the segment, by delete file (set by the
        /// build stage, which applies them).
        var deletes: [AppliedDelete] = []
    }

    /// What the build stage does next with the row group in hand.
    enum RowGroupAction: Equatable {
        /// Append these rows of the row group to the open segment, then call ``appended(size:)``.
        case append(Range<Int>)
        /// Seal the open segment as this cut, then call ``sealed(size:)``.
        case seal(Cut)
        /// The row group is in.
        case done
        /// The row group's file has failed: leave it out.
        case drop
    }

    enum GroupEndAction: Equatable {
        case seal(Cut)
        /// The group is complete with no further segment (its files were empty or skipped, or
        /// its last part was sealed early).
        case groupComplete(Int)
    }

    enum FileFailedAction: Equatable {
        /// End the run with the file's error.
        case fail
        /// End the run: part of the file is already in a sealed segment.
        case failSealed
        /// Report the file skipped; when `truncateTo` is set, first cut the open segment back
        /// to that many rows (the file's rows come out).
        case skip(truncateTo: Int?)
        /// The file already failed once: nothing more to do.
        case ignore
    }

    let table: String
    let limits: Limits
    let continueOnFileError: Bool

    private var step: IngestionStep?
    private var group = -1
    private var part = 0
    private var files: [FileRowSpan] = []
    /// The file being appended: the open segment's rows when it started, whether some of its
    /// rows are in a sealed part already, and its rows so far.
    private var file: (key: FileKey, startRows: Int, sealed: Bool, rows: Int)?
    private var failed = Set<FileKey>()
    /// The row group in hand: how far it is appended, how many rows a slice takes, and whether
    /// its first append is still to come (it waits for a seal).
    private var current: (rowGroup: RowGroup, offset: Int, slice: Int, started: Bool, appending: Range<Int>)?

    init(table: String, limits: Limits, continueOnFileError: Bool) {
        self.table = table
        self.limits = limits
        self.continueOnFileError = continueOnFileError
    }

    mutating func stepStarted(_ step: IngestionStep) {
        self.step = step
        group = -1
    }

    /// A decoded row group arrived.
    mutating func rowGroup(_ rowGroup: RowGroup, size: BuilderSize) -> RowGroupAction {
        guard !failed.contains(rowGroup.file) else { return .drop }
        enter(group: rowGroup.group)
        let half = limits.columnLimit / 2
        var slice = rowGroup.variableBytes > half ? max(1, rowGroup.rows * half / rowGroup.variableBytes) : rowGroup.rows
        let bytesSliced = rowGroup.bytes > limits.maxBytes
        if bytesSliced { slice = min(slice, max(1, Int(Int64(rowGroup.rows) * Int64(limits.maxBytes) / Int64(rowGroup.bytes)))) }
        current = (rowGroup, 0, slice, false, 0..<0)
        if size.rows > 0 && (size.rows + rowGroup.rows > limits.maxRows || size.largestColumn + rowGroup.variableBytes > limits.columnLimit
                             || bytesSliced) {
            return .seal(cut(completesGroup: false))
        }
        return start(size: size)
    }

    /// The rows of the last `.append` are in the builder, but for `dropped` of them left out
    /// under `continueOnRowError` (the file's span still covers them: they were read).
    mutating func appended(size: BuilderSize, dropped: Int = 0) -> RowGroupAction {
        guard var current else { return .done }
        let rowGroup = current.rowGroup, rows = current.appending
        files.note(path: rowGroup.path, rowGroup: rowGroup.rowGroup, firstRow: rowGroup.firstRow, rows: rows)
        current.offset = rows.upperBound
        file?.rows += rows.count - dropped
        self.current = current
        let full = size.rows >= limits.maxRows || size.bytes >= limits.maxBytes
            || size.largestColumn >= limits.columnLimit / 2 && current.slice < rowGroup.rows
            || rowGroup.bytes > limits.maxBytes
        if full { return .seal(cut(completesGroup: false)) }
        return next(size: size)
    }

    /// The segment of the last `.seal` is sealed.
    mutating func sealed(size: BuilderSize) -> RowGroupAction {
        guard let current else { return .done }
        return current.started ? next(size: size) : start(size: size)
    }

    /// Every row group of a file was delivered: the rows it added, or nil when it had failed.
    mutating func fileEnded(_ key: FileKey) -> Int? {
        let rows = file.map { $0.key == key ? $0.rows : 0 } ?? 0
        file = nil
        return failed.contains(key) ? nil : rows
    }

    /// A file could not be read (at its footer, or at one of its row groups).
    mutating func fileFailed(_ key: FileKey, path: String) -> FileFailedAction {
        guard failed.insert(key).inserted else { return .ignore }
        guard continueOnFileError else { return .fail }
        guard let file, file.key == key else { return .skip(truncateTo: nil) }
        guard !file.sealed else { return .failSealed }
        files.removeAll { $0.path == path }
        self.file = nil
        return .skip(truncateTo: file.startRows)
    }

    /// A group's files were all delivered.
    mutating func groupEnded(_ index: Int, size: BuilderSize) -> GroupEndAction {
        enter(group: index)
        defer { group = -1 }
        return size.rows > 0 ? .seal(cut(completesGroup: true)) : .groupComplete(index)
    }

    // MARK: internals

    private mutating func enter(group index: Int) {
        guard index != group else { return }
        group = index
        part = 0
        files = []
    }

    /// The row group's first append (after any seal it waited for).
    private mutating func start(size: BuilderSize) -> RowGroupAction {
        guard var current else { return .done }
        if file?.key != current.rowGroup.file { file = (current.rowGroup.file, size.rows, false, 0) }
        current.started = true
        self.current = current
        return next(size: size)
    }

    private mutating func next(size: BuilderSize) -> RowGroupAction {
        guard var current else { return .done }
        guard current.offset < current.rowGroup.rows else {
            self.current = nil
            return .done
        }
        let take = min(limits.maxRows - size.rows, current.slice, current.rowGroup.rows - current.offset)
        current.appending = current.offset..<(current.offset + max(1, take))
        self.current = current
        return .append(current.appending)
    }

    private mutating func cut(completesGroup: Bool) -> Cut {
        let step = self.step ?? IngestionStep(id: "", kind: .added, action: .ingest, snapshotId: nil, sequenceNumber: nil,
                                              afterSequenceNumber: nil, operation: nil, files: [], groups: [])
        let cut = Cut(name: SegmentNaming.name(table: table, step: step, group: group, part: part), stepId: step.id,
                      snapshotId: step.snapshotId, group: group, part: part, files: files, completesGroup: completesGroup)
        part += 1
        files = []
        if let file { self.file = (file.key, 0, file.sealed || file.rows > 0, file.rows) }
        return cut
    }
}
