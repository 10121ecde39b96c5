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
}
