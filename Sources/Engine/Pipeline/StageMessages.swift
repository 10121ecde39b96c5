import Columnar
import Parquet

/// One data file of a step, as it flows down the pipeline.
struct FileWork: Sendable {
    let stepId: String
    let group: Int
    /// Index into the step's files.
    let index: Int
    let file: PlannedFile
}

/// Discovery → fetch: the step's files in path order, with markers where groups and steps end.
enum DiscoveredWork: Sendable {
    case stepStarted(IngestionStep)
    case file(FileWork)
    case groupEnd(stepId: String, group: Int)
    case stepEnd(IngestionStep)
}

/// A data file whose footer is read, with the projection onto the table's schema.
struct OpenedFile: Sendable {
    let work: FileWork
    let reader: ParquetFileReader<CountingSource>
    let projection: FileProjection
    /// The rows its row-level deletes remove.
    var deletes: RowDeletes = .none
}

/// Fetch → decode.
enum FetchedWork: Sendable {
    case opened(OpenedFile)
    case failed(FileWork, EngineError)
    case marker(DiscoveredWork)
}

/// One row group, decoded and projected onto the table's schema.
struct DecodedRowGroup: Sendable {
    let work: FileWork
    let rowGroup: Int
    /// The row group's first row, counted from the file's first row.
    let firstRow: Int
    let batch: RecordBatch
    /// The batch's memory, for the channel's byte watermark.
    let bytes: Int
    /// Rows of the batch that row-level deletes remove, ascending: never appended.
    var deleted: [Int] = []
    /// For each of `deleted`, the delete file that removed it.
    var deletedBy: [String] = []
}

/// Decode → build, in file and row-group order.
enum DecodedWork: Sendable {
    case rowGroup(DecodedRowGroup)
    /// Every row group of the file was decoded.
    case fileEnd(FileWork, rowGroups: Int)
    /// The file could not be read; row groups already delivered must be taken back.
    case fileFailed(FileWork, EngineError)
    case marker(DiscoveredWork)

    /// The weight in the decode → build channel: a batch's bytes, 1 for anything else.
    var weight: Int {
        if case .rowGroup(let decoded) = self { return max(decoded.bytes, 1) }
        return 1
    }
}

/// Build → push.
enum BuiltWork: Sendable {
    /// A sealed segment, and the cut it was sealed as (its group, part and files).
    case sealed(SealedSegment, cut: SegmentCutter.Cut)
    /// A group complete without a further segment (its files were empty or skipped, or its last
    /// part was sealed early).
    case groupComplete(stepId: String, group: Int)
    case fileIngested(FileWork, rows: Int)
    case fileSkipped(FileWork, EngineError)
    case marker(DiscoveredWork)
}

extension RecordBatch {
    /// Bytes held by the batch's vectors (validity bitmaps, offsets, values).
    var estimatedBytes: Int { columns.reduce(0) { $0 + $1.estimatedBytes } }
}

extension Column {
    var estimatedBytes: Int { storage.estimatedBytes + (validity.map { $0.words.count * 8 } ?? 0) }
}

extension ColumnStorage {
    var estimatedBytes: Int {
        switch self {
        case .boolean(let v): v.count
        case .int32(let v): v.count * 4
        case .int64(let v): v.count * 8
        case .float32(let v): v.count * 4
        case .float64(let v): v.count * 8
        case .int128(let v): v.count * 16
        case .byteArrays(let v): v.data.count + v.offsets.count * 4
        case .dictionary(let values, let indices): values.estimatedBytes + indices.count * 4
        case .list(let offsets, let child): offsets.count * 4 + child.estimatedBytes
        }
    }

    /// Variable-width bytes (what a builder column's value bytes grow by).
    var variableBytes: Int {
        switch self {
        case .byteArrays(let v): v.data.count
        case .dictionary(let values, _): values.variableBytes
        case .list(_, let child): child.storage.variableBytes
        default: 0
        }
    }
}
