import Columnar
import Pinot

/// Appends a batch to a segment builder with its columns filled on up to `concurrency` threads
/// at once (columns are independent; the segment's bytes do not depend on the order). On any
/// failure no row of the batch stays added.
enum ConcurrentAppend {
    static func add(_ batch: RecordBatch, rows: Range<Int>? = nil, to builder: SegmentBuilder, concurrency: Int) async throws(SegmentError) {
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
        let failure: SegmentError? = await withTaskGroup(of: SegmentError?.self) { group in
            var next = 0
            var first: SegmentError?
            func start() {
                let index = next
                next += 1
                group.addTask {
                    do throws(SegmentError) {
                        try builder.append(column: index, from: batch, source: sources[index], rows: rows)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            while next < min(concurrency, builder.columnCount) { start() }
            while let result = await group.next() {
                if let result, first == nil { first = result }
                if next < builder.columnCount { start() }
            }
            return first
        }
        if let failure {
            builder.truncate(toRows: before)
            throw failure
        }
        builder.commit(rows: rows.count)
    }
}
