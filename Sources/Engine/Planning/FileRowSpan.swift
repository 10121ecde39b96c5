/// A run of consecutive rows of one data file that a segment holds: what the cutter records
/// for each segment and the ledger keeps for each pushed one.
public struct FileRowSpan: Codable, Sendable, Equatable {
    public var path: String
    /// Row groups `rowGroups[0] ..< rowGroups[1]` of the file.
    public var rowGroups: [Int]
    /// The file's rows `rowRange[0] ..< rowRange[1]` (counted from the file's first row).
    public var rowRange: [Int]
    public var rows: Int

    public init(path: String, rowGroups: Range<Int>, rowRange: Range<Int>) {
        self.path = path
        self.rowGroups = [rowGroups.lowerBound, rowGroups.upperBound]
        self.rowRange = [rowRange.lowerBound, rowRange.upperBound]
        rows = rowRange.count
    }
}

extension [FileRowSpan] {
    /// Adds `rows` of row group `rowGroup` (whose first row is `firstRow` in its file),
    /// extending the last span when the rows follow on from it.
    mutating func note(path: String, rowGroup: Int, firstRow: Int, rows: Range<Int>) {
        let start = firstRow + rows.lowerBound, end = firstRow + rows.upperBound
        if let last = indices.last, self[last].path == path, self[last].rowRange[1] == start {
            self[last].rowGroups[1] = rowGroup + 1
            self[last].rowRange[1] = end
            self[last].rows += rows.count
        } else {
            append(FileRowSpan(path: path, rowGroups: rowGroup..<(rowGroup + 1), rowRange: start..<end))
        }
    }
}
