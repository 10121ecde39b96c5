import Columnar
import Pinot

/// Counts the values Pinot's `maxLength` cuts, per string column, so the status can say how many
/// values of a column were shortened (the builder cuts them; DESIGN.md, Pinot's value rules).
/// Lengths are UTF-16 units, as Java measures them; a string of at most `maxLength` bytes is
/// never cut, so most values cost one comparison.
enum StringCuts {
    /// Cut values per column among `rows` of `batch` (only columns with a cut value appear).
    static func count(_ batch: RecordBatch, rows: [Range<Int>], builder: SegmentBuilder) -> [String: Int] {
        var counts: [String: Int] = [:]
        let sources = builder.sources(in: batch)
        for (index, field) in builder.schema.fields.enumerated() where field.dataType == .string && field.singleValue {
            guard let position = sources[index] else { continue }
            let cut = count(batch.columns[position], rows: rows, limit: field.maxLength ?? 512)
            if cut > 0 { counts[field.name] = cut }
        }
        return counts
    }

    static func count(_ column: Column, rows: [Range<Int>], limit: Int) -> Int {
        // No value is longer than all the column's bytes: most columns are done here.
        guard column.storage.variableBytes > limit else { return 0 }
        switch column.storage {
        case .byteArrays(let arrays):
            var cut = 0
            for range in rows {
                for row in range where isCut(arrays, row, limit: limit) { cut += 1 }
            }
            return cut
        case .dictionary(.byteArrays(let values), let indices):
            let entries = (0..<values.count).map { isCut(values, $0, limit: limit) }
            guard entries.contains(true) else { return 0 }
            var cut = 0
            for range in rows {
                for row in range where column.validity?.isValid(row) ?? true {
                    let entry = Int(indices[row])
                    if entry >= 0, entry < entries.count, entries[entry] { cut += 1 }
                }
            }
            return cut
        default:
            return 0
        }
    }

    /// Whether value `index` is longer than `limit` UTF-16 units.
    private static func isCut(_ arrays: ByteArrays, _ index: Int, limit: Int) -> Bool {
        let range = arrays.range(index)
        guard range.count > limit else { return false }
        var units = 0
        for byte in arrays.data[range] where byte & 0xC0 != 0x80 { units += byte >= 0xF0 ? 2 : 1 }
        return units > limit
    }
}
