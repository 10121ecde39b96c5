import BoundedWork
import Columnar
import Pinot

/// Appends a batch to a segment builder with its columns filled on up to `concurrency` threads
/// at once (columns are independent; the segment's bytes do not depend on the order). On any
/// failure no row of the batch stays added.
enum ConcurrentAppend {
    /// - Throws: the first column's `SegmentError`, or `CancellationError`.
    static func add(_ batch: RecordBatch, rows: Range<Int>? = nil, to builder: SegmentBuilder, concurrency: Int) async throws {
        let rows = rows ?? 0..<batch.rowCount
        guard concurrency > 1, builder.columnCount > 1, rows.count >= 4096 else {
            try builder.add(batch: batch, rows: rows)
            return
        }
        guard rows.lowerBound >= 0, rows.upperBound <= batch.rowCount else {
            throw SegmentError(.invalidValue, "rows \(rows) lie outside the batch's \(batch.rowCount) rows")
        }
        guard builder.rowCount + rows.count < Int(Int32.max) else {
            throw SegmentError(.invalidValue, "a segment holds fewer than 2^31 rows")
        }
        let before = builder.rowCount
        let sources = builder.sources(in: batch)
        do {
            _ = try await OrderedWindow<Void>.map(Array(0..<builder.columnCount), limit: concurrency) { index in
                try builder.append(column: index, from: batch, source: sources[index], rows: rows)
            }
        } catch {
            builder.truncate(toRows: before)
            throw error
        }
        builder.commit(rows: rows.count)
    }
}
