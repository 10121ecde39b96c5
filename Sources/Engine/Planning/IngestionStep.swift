import Iceberg

/// A data file to ingest, as the plan knows it before the file is opened.
public struct PlannedFile: Sendable, Equatable {
    /// The path as the table's metadata records it (or as the listing found it).
    public var path: String
    public var size: Int
    /// Rows, from the manifest (Iceberg) or the footer (S3 data lake).
    public var recordCount: Int64
    /// `file_format` from the manifest: PARQUET, AVRO or ORC.
    public var format: String
    /// The partition tuple (Iceberg), for identity and `includePartitionColumns` values.
    public var partition: [PartitionValue]
    public var specId: Int
    /// The ETag the listing saw (S3 data lake).
    public var etag: String?
    /// The row-level deletes that apply to it (Iceberg's scope rules), applied as it is built.
    public var deletes = FileDeletes()

    public init(path: String, size: Int, recordCount: Int64, format: String = "PARQUET", partition: [PartitionValue] = [], specId: Int = 0,
                etag: String? = nil, deletes: FileDeletes = FileDeletes()) {
        self.deletes = deletes
        self.path = path
        self.size = size
        self.recordCount = recordCount
        self.format = format
        self.partition = partition
        self.specId = specId
        self.etag = etag
    }
}

/// The files of one group: what one segment holds (or, for a file larger than a segment, the
/// parts it is split into at row-group boundaries).
public struct SegmentGroup: Sendable, Equatable {
    public var index: Int
    /// Indices into the step's files.
    public var files: Range<Int>
    public var records: Int64
}

/// One unit of ingestion: a snapshot's new files (or a listing's new files), grouped into
/// segments; checkpointed once every group is pushed.
public struct IngestionStep: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// The files an append snapshot added.
        case added
        /// The live files of a snapshot (a first run, or after an expired checkpoint).
        case live
        /// New files under an S3 data lake prefix.
        case dataLake
    }

    public enum Action: Sendable, Equatable {
        case ingest
        /// A replace (compaction) whose record counts balance: nothing is built; the ledger's
        /// segments that held the removed files hold the added ones instead.
        case relink
        /// A replace (compaction) whose record counts balance, with the mirror off.
        case noOp
        /// An overwrite or delete, skipped as configured.
        case skipped(operation: String)
    }

    /// Stable across runs: `snapshot-<id>`, `lake-<hash of the file list>`, or
    /// `rebuild-<hash of the segments>` (segments rebuilt under renamed columns).
    public var id: String
    public var kind: Kind
    public var action: Action
    public var snapshotId: Int64?
    public var sequenceNumber: Int64?
    /// For `.live` after an expired checkpoint: only files with a data sequence number above it.
    public var afterSequenceNumber: Int64?
    public var operation: String?
    /// In path order (UTF-8 byte order).
    public var files: [PlannedFile]
    public var groups: [SegmentGroup]
    /// Groups an earlier, interrupted run already pushed: not built again.
    public var pushedGroups: Set<Int> = []
    /// Data files the step removes (an overwrite or delete; a data lake file deleted or
    /// rewritten in place), and for a relink the files that replace them.
    public var removedFiles: [String] = []
    public var relinkedFiles: [FileRowSpan] = []
    /// The live segments the step replaces in one swap (they hold a removed file, or rows of
    /// a file that one of them holds): their remaining files are among ``files``, rebuilt.
    public var replaces: [String] = []

    /// The step's segments replace others in one atomic swap: built first, pushed together.
    public var isSwap: Bool { !replaces.isEmpty }

    /// The part of segment names that names this step: the snapshot id, or the id's hash.
    public var nameToken: String {
        if let snapshotId { return String(snapshotId) }
        return id.split(separator: "-", maxSplits: 1).last.map(String.init) ?? id
    }
}

/// The grouping rule (DESIGN.md, "Snapshots, checkpoints and exactly once"): files in path order,
/// consecutive files joined while their record counts sum to at most `maxRows`; a file with more
/// rows than that is a group of its own (split into parts at row-group boundaries when built).
/// It depends only on the file list and the record counts, never on what a run managed to do.
public enum SegmentGrouping {
    public static func groups(_ files: [PlannedFile], maxRows: Int) -> [SegmentGroup] {
        var groups: [SegmentGroup] = []
        var start = 0
        var records: Int64 = 0
        for (index, file) in files.enumerated() {
            let rows = max(file.recordCount, 0)
            if index > start && records + rows > Int64(maxRows) {
                groups.append(SegmentGroup(index: groups.count, files: start..<index, records: records))
                start = index
                records = 0
            }
            records += rows
        }
        if start < files.count { groups.append(SegmentGroup(index: groups.count, files: start..<files.count, records: records)) }
        return groups
    }

    /// Path order: UTF-8 byte order, the same on every machine and in every language.
    public static func pathOrder(_ a: PlannedFile, _ b: PlannedFile) -> Bool {
        a.path.utf8.lexicographicallyPrecedes(b.path.utf8)
    }
}

/// Segment names (spec §9): `<table>_<snapshot id or listing hash>_<group, 5 digits>_<part>`, a
/// function of the table, the step and the group alone, so a rerun produces the same names and
/// Pinot replaces instead of duplicating; never two segments with one name.
public enum SegmentNaming {
    public static func name(table: String, step: IngestionStep, group: Int, part: Int) -> String {
        let number = String(group)
        return "\(table)_\(step.nameToken)_\(String(repeating: "0", count: max(0, 5 - number.count)))\(number)_\(part)"
    }

    /// The segments a group is expected to become before it is built, for a lineage entry
    /// opened first: one, or for a group past `maxRows` (one file, split at its row groups) at
    /// least one per `maxRows` rows. The builder may cut more (row groups that straddle a cut,
    /// the byte limit) or fewer (rows deleted); the entry is ended with the ones it made.
    public static func expected(table: String, step: IngestionStep, group: SegmentGroup, maxRows: Int) -> [String] {
        let parts = max(1, Int((group.records + Int64(maxRows) - 1) / Int64(maxRows)))
        return (0..<parts).map { name(table: table, step: step, group: group.index, part: $0) }
    }
}
