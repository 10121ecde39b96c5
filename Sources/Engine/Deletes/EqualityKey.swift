import Columnar

/// One value of an equality delete's key, compared as Iceberg compares them: integers of any
/// width as one, floats by their double bits, strings and binaries by their bytes; a null
/// matches a null.
enum EqualityKey: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(UInt64)
    case decimal(Int128)
    case bytes([UInt8])

    /// The key of `row` of `column`.
    static func of(_ column: Column, row: Int) -> EqualityKey {
        if let validity = column.validity, !validity.isValid(row) { return .null }
        return of(column.storage, type: column.type, row: row)
    }

    private static func of(_ storage: ColumnStorage, type: DataType, row: Int) -> EqualityKey {
        switch storage {
        case .boolean(let values): return .bool(values[row])
        case .int32(let values): return .int(Int64(values[row]))
        case .int64(let values): return .int(values[row])
        case .float32(let values): return .double(Double(values[row]).bitPattern)
        case .float64(let values): return .double(values[row].bitPattern)
        case .int128(let values): return .decimal(values[row])
        case .byteArrays(let values): return .bytes(Array(values[row]))
        case .dictionary(let values, let indices): return of(values, type: type, row: Int(indices[row]))
        case .list: return .null
        }
    }
}
