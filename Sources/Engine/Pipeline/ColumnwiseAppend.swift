import BoundedWork
import Columnar
import Parquet
import Pinot

/// Decodes a file one column chunk at a time, `concurrency` columns at once, each chunk appended
/// to the builder as soon as it is decoded: memory holds a few column chunks, not a row group (a
/// 1M-row group of eight columns is a hundred megabytes decoded), and decoding and appending of
/// different columns overlap. Columns start largest first (by their chunks' uncompressed
/// bytes), so the slowest is not the last to begin. On a failure no row of the file stays
/// added.
enum ColumnwiseAppend {
    /// The builder's columns, those with the most uncompressed bytes in `groups` first.
    static func order<Source: RandomAccessReader>(
        _ sources: [Int?], of reader: ParquetFileReader<Source>, groups: some Sequence<Int>
    ) -> [Int] {
        var bytes: [String: Int64] = [:]
        for group in groups {
            for chunk in reader.metadata.rowGroups[group].columns {
                guard let metadata = chunk.metaData, let top = metadata.pathInSchema.first else { continue }
                bytes[top, default: 0] += metadata.totalUncompressedSize
            }
        }
        let names = reader.schema.fields.map(\.name)
        let cost = sources.map { field in field.map { bytes[names[$0]] ?? 0 } ?? 0 }
        return sources.indices.sorted { cost[$0] != cost[$1] ? cost[$0] > cost[$1] : $0 < $1 }
    }

    /// Every row group of the file: each column is one task that walks the row groups in order,
    /// so a slow column (many distinct strings) never leaves the other cores waiting at a
    /// row-group boundary.
    static func add<Source: RandomAccessReader>(
        fileOf reader: ParquetFileReader<Source>, to builder: SegmentBuilder, concurrency: Int
    ) async throws {
        let groups = reader.metadata.rowGroups.indices
        let rows = groups.reduce(0) { $0 + Int(reader.metadata.rowGroups[$1].numRows) }
        let names = reader.schema.fields.map(\.name)
        let sources = builder.schema.fields.map { field in names.firstIndex(of: field.name) }
        let before = builder.rowCount
        do {
            let order = order(sources, of: reader, groups: groups)
            _ = try await OrderedWindow<Void>.map(order, limit: concurrency) { index in
                for group in groups {
                    try Task.checkCancellation()
                    let groupRows = Int(reader.metadata.rowGroups[group].numRows)
                    guard let field = sources[index] else {
                        try builder.append(column: index, from: RecordBatch(fields: [], columns: [], rowCount: groupRows), source: nil, rows: 0..<groupRows)
                        continue
                    }
                    let batch = try await reader.readRowGroup(group, fields: [field])
                    guard batch.rowCount == groupRows else {
                        throw ParquetError(.corruptMetadata, "column \(names[field]) has \(batch.rowCount) rows, the row group \(groupRows)",
                                           file: reader.name, rowGroup: group, column: names[field])
                    }
                    do {
                        try builder.append(column: index, from: batch, source: 0, rows: 0..<groupRows)
                    } catch {
                        throw FailureReport.engineError(error, file: reader.name, context: "row group \(group)")
                    }
                }
            }
        } catch {
            builder.truncate(toRows: before)
            throw error
        }
        builder.commit(rows: rows)
    }
}
