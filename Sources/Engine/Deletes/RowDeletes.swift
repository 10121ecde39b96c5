import Columnar

/// The rows of one data file that its row-level deletes remove: positions (position delete
/// files, a deletion vector) and keys (equality delete files, each on its own columns).
struct RowDeletes: Sendable {
    /// Deleted row positions, counted from the file's first row.
    var positions: Set<Int64> = []
    /// Per equality delete file: the columns (table names) and the deleted keys.
    var equality: [(columns: [String], keys: Set<[EqualityKey]>)] = []

    static let none = RowDeletes()

    var isEmpty: Bool { positions.isEmpty && equality.allSatisfy { $0.keys.isEmpty } }

    /// The rows of `batch` (a row group whose first row is `firstRow` in its file) that are
    /// deleted, ascending.
    /// - Throws: `.unsupported` when an equality delete's column is not among the batch's
    ///   (left out of the table with `schema.excludeColumns`).
    func deletedRows(in batch: RecordBatch, firstRow: Int, file: String) throws(EngineError) -> [Int] {
        guard !isEmpty else { return [] }
        var deleted = [Bool](repeating: false, count: batch.rowCount)
        if !positions.isEmpty {
            for row in 0..<batch.rowCount where positions.contains(Int64(firstRow + row)) { deleted[row] = true }
        }
        for delete in equality where !delete.keys.isEmpty {
            var columns: [Column] = []
            for name in delete.columns {
                guard let index = batch.fields.firstIndex(where: { $0.name == name }) else {
                    throw EngineError(.unsupported, "an equality delete compares column \(name), which the table leaves out (schema.excludeColumns): keep it to apply the delete",
                                      file: file, column: name)
                }
                columns.append(batch.columns[index])
            }
            for row in 0..<batch.rowCount where !deleted[row] {
                if delete.keys.contains(columns.map { EqualityKey.of($0, row: row) }) { deleted[row] = true }
            }
        }
        return deleted.indices.filter { deleted[$0] }
    }
}
