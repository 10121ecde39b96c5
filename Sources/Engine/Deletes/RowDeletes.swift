import Columnar

/// The rows of one data file that its row-level deletes remove: positions (position delete
/// files, a deletion vector) and keys (equality delete files, each on its own columns), each
/// with the delete file that lists them, so a removed row is counted against the file that
/// removed it.
struct RowDeletes: Sendable {
    /// Deleted row positions (counted from the file's first row) by delete file: the deletion
    /// vector first, then position delete files.
    var positions: [(file: String, rows: Set<Int64>)] = []
    /// Per equality delete file: the columns (table names) and the deleted keys.
    var equality: [(file: String, columns: [String], keys: Set<[EqualityKey]>)] = []

    static let none = RowDeletes()

    var isEmpty: Bool { positions.allSatisfy { $0.rows.isEmpty } && equality.allSatisfy { $0.keys.isEmpty } }

    /// The rows of `batch` (a row group whose first row is `firstRow` in its file) that are
    /// deleted, ascending, and for each the delete file that removed it (the first that lists
    /// it, in the order above).
    /// - Throws: `.unsupported` when an equality delete's column is not among the batch's
    ///   (left out of the table with `schema.excludeColumns`).
    func deletedRows(in batch: RecordBatch, firstRow: Int, file: String) throws(EngineError) -> (rows: [Int], by: [String]) {
        guard !isEmpty else { return ([], []) }
        var deletedBy = [Int?](repeating: nil, count: batch.rowCount)
        for (source, delete) in positions.enumerated() where !delete.rows.isEmpty {
            for row in 0..<batch.rowCount where deletedBy[row] == nil && delete.rows.contains(Int64(firstRow + row)) {
                deletedBy[row] = source
            }
        }
        for (index, delete) in equality.enumerated() where !delete.keys.isEmpty {
            var columns: [Column] = []
            for name in delete.columns {
                guard let index = batch.fields.firstIndex(where: { $0.name == name }) else {
                    throw EngineError(.unsupported, "an equality delete compares column \(name), which the table leaves out (schema.excludeColumns): keep it to apply the delete",
                                      file: file, column: name)
                }
                columns.append(batch.columns[index])
            }
            for row in 0..<batch.rowCount where deletedBy[row] == nil {
                if delete.keys.contains(columns.map { EqualityKey.of($0, row: row) }) { deletedBy[row] = positions.count + index }
            }
        }
        let rows = deletedBy.indices.filter { deletedBy[$0] != nil }
        let names = positions.map(\.file) + equality.map(\.file)
        return (rows, rows.map { names[deletedBy[$0]!] })
    }
}
