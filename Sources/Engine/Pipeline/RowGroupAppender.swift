import Columnar
import Pinot

/// Appends a row group's rows to the open segment with Pinot's row rules enforced at the row:
/// a value the builder cannot take and a time value a controller refuses (null, or outside
/// 1971–2071) are found right after the append, named by file, row group and row. Without
/// `continueOnRowError` such a row fails the run (category `invalidValue`) with nothing of the
/// row group left in the segment; with it, the row is left out and reported as dropped. Values
/// the builder cuts to `maxLength` are counted here too, for the rows that went in.
struct RowGroupAppender {
    /// What happened to the rows besides going in.
    struct Outcome {
        var dropped: [TaskStatus.DroppedRow] = []
        /// Values cut to `maxLength`, per column.
        var cuts: [String: Int] = [:]
        /// Rows that row-level deletes removed.
        var deleted = 0
        /// Those rows by the delete file that removed them.
        var deletedBy: [String: Int] = [:]
    }

    let builder: SegmentBuilder
    let continueOnRowError: Bool
    let concurrency: Int

    /// Appends `rows` of `decoded`: the rows left out (none without `continueOnRowError`) and the
    /// values cut.
    /// - Throws: `EngineError(.invalidValue)` naming the first bad row, or a cancellation.
    func append(_ decoded: DecodedRowGroup, rows: Range<Int>) async throws -> Outcome {
        let (dropped, kept, deleted) = try await appendChecked(decoded, rows: rows)
        var deletedBy: [String: Int] = [:]
        for (row, file) in zip(decoded.deleted, decoded.deletedBy) where rows.contains(row) { deletedBy[file, default: 0] += 1 }
        return Outcome(dropped: dropped, cuts: StringCuts.count(decoded.batch, rows: kept, builder: builder), deleted: deleted, deletedBy: deletedBy)
    }

    /// The rows left out, the rows that went in (as runs of the row group's rows), and how many
    /// row-level deletes removed.
    private func appendChecked(_ decoded: DecodedRowGroup, rows: Range<Int>) async throws
        -> (dropped: [TaskStatus.DroppedRow], kept: [Range<Int>], deleted: Int) {
        let before = builder.rowCount
        /// The rows in, when some were left out (else all of `rows`).
        var kept: [Int]?
        if !decoded.deleted.isEmpty {
            let removed = Set(decoded.deleted)
            kept = rows.filter { !removed.contains($0) }
        }
        let deleted = rows.count - (kept?.count ?? rows.count)
        var dropped: [TaskStatus.DroppedRow] = []
        do {
            for run in kept.map(Self.runs) ?? [rows] {
                try await ConcurrentAppend.add(decoded.batch, rows: run, to: builder, concurrency: concurrency)
            }
        } catch let error as SegmentError {
            builder.truncate(toRows: before)
            let outcome = try appendRowByRow(decoded, rows: kept ?? Array(rows), firstError: error)
            (kept, dropped) = (outcome.kept, outcome.dropped)
        }
        let violations = builder.timeViolations(from: before)
        guard !violations.isEmpty else { return (dropped, kept.map(Self.runs) ?? [rows], deleted) }
        let source = { (row: Int) in kept?[row - before] ?? rows.lowerBound + row - before }
        let column = builder.table.timeColumn ?? ""
        let bad = violations.map { violation in
            TaskStatus.DroppedRow(file: decoded.work.file.path, rowGroup: decoded.rowGroup, row: decoded.firstRow + source(violation.row),
                                  column: column, value: violation.value.map(String.init),
                                  reason: violation.value == nil ? "a null time value" : "a time value outside 1971–2071")
        }
        guard continueOnRowError else {
            builder.truncate(toRows: before)
            throw Self.error(for: bad[0], count: bad.count)
        }
        let refused = Set(violations.map { source($0.row) })
        builder.truncate(toRows: before)
        let runs = Self.runs((kept ?? Array(rows)).filter { !refused.contains($0) })
        for run in runs { try await ConcurrentAppend.add(decoded.batch, rows: run, to: builder, concurrency: concurrency) }
        return ((dropped + bad).sorted { $0.row < $1.row }, runs, deleted)
    }

    /// After a failed append: each row on its own, so the bad ones are known by row.
    private func appendRowByRow(_ decoded: DecodedRowGroup, rows: [Int], firstError: SegmentError) throws
        -> (kept: [Int], dropped: [TaskStatus.DroppedRow]) {
        var kept: [Int] = []
        var dropped: [TaskStatus.DroppedRow] = []
        let before = builder.rowCount
        for row in rows {
            do {
                try builder.add(batch: decoded.batch, rows: row..<(row + 1))
                kept.append(row)
            } catch {
                let place = TaskStatus.DroppedRow(file: decoded.work.file.path, rowGroup: decoded.rowGroup, row: decoded.firstRow + row,
                                                  column: error.column ?? "", value: nil, reason: error.message)
                guard continueOnRowError else {
                    builder.truncate(toRows: before)
                    var engine = Self.error(for: place, count: nil)
                    engine.underlying = error
                    throw engine
                }
                dropped.append(place)
            }
        }
        if dropped.isEmpty {
            // Every row fits on its own: the failure was the batch's (its size, its shape).
            builder.truncate(toRows: before)
            throw EngineError(.schemaMismatch, "a value does not fit the segment: \(firstError.message)", file: decoded.work.file.path,
                              rowGroup: decoded.rowGroup, column: firstError.column, underlying: firstError)
        }
        return (kept, dropped)
    }

    /// Ascending rows as runs of consecutive rows.
    private static func runs(_ rows: [Int]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var index = 0
        while index < rows.count {
            var end = index + 1
            while end < rows.count && rows[end] == rows[end - 1] + 1 { end += 1 }
            runs.append(rows[index]..<(rows[end - 1] + 1))
            index = end
        }
        return runs
    }

    private static func error(for row: TaskStatus.DroppedRow, count: Int?) -> EngineError {
        let value = row.value.map { " (\($0))" } ?? ""
        let more = count.map { $0 > 1 ? "; \($0 - 1) more rows of the row group are like it" : "" } ?? ""
        return EngineError(.invalidValue, "\(row.reason)\(value), which a Pinot controller refuses\(more) "
                           + "(with \"continueOnRowError\": true the run leaves such rows out and counts them in the status)",
                           file: row.file, rowGroup: row.rowGroup, row: row.row, column: row.column)
    }
}
