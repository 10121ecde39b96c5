/// One pushed segment, as the ledger (`stateDir/segments.jsonl`) records it: which step and
/// group it belongs to and which rows of which data files it holds.
public struct LedgerEntry: Codable, Sendable, Equatable {
    public var segment: String
    public var step: String
    public var snapshotId: Int64?
    public var group: Int
    public var part: Int
    public var rows: Int
    public var files: [FileRowSpan]
    public var pushedAt: String
    /// The segment's columns (the Pinot schema it was built in): a column renamed since is
    /// rebuilt under its new name. Absent in entries written before it was recorded.
    public var columns: [String]?
    /// The Iceberg delete files applied to the segment's rows: the rows each removed, per data
    /// file of the segment. Absent when none removed a row (and in entries written before it was
    /// recorded).
    public var deletes: [AppliedDelete]?
}

/// A delete file (position delete, deletion vector or equality delete) and the rows it removed
/// from one data file's rows in a segment.
public struct AppliedDelete: Codable, Sendable, Hashable {
    public var path: String
    public var dataFile: String
    public var rows: Int

    public init(path: String, dataFile: String, rows: Int) {
        self.path = path
        self.dataFile = dataFile
        self.rows = rows
    }
}
