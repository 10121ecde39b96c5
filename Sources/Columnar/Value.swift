/// One cell, for inspection, printing and tests; bulk paths use the typed vectors instead.
public indirect enum Value: Sendable, Equatable {
    case null
    case boolean(Bool)
    case int(Int64)
    case float(Float)
    case double(Double)
    case decimal(unscaled: Int128, scale: Int)
    case string(String)
    case json(String)
    case bytes([UInt8])
    case list([Value])
}

extension Column {
    /// The value at `index`, with the column's logical type applied (a timestamp as epoch
    /// milliseconds, floored, whatever its unit).
    public func value(at index: Int) -> Value {
        if isNull(index) { return .null }
        return storage.value(at: index, type: type)
    }
}

extension ColumnStorage {
    func value(at index: Int, type: DataType) -> Value {
        switch self {
        case .boolean(let v): return .boolean(v[index])
        case .int32(let v): return .int(Int64(v[index]))
        case .int64(let v):
            if case .timestamp(let unit) = type { return .int(unit.millis(v[index])) }
            return .int(v[index])
        case .float32(let v): return .float(v[index])
        case .float64(let v): return .double(v[index])
        case .int128(let v):
            if case .decimal(_, let scale) = type { return .decimal(unscaled: v[index], scale: scale) }
            return .decimal(unscaled: v[index], scale: 0)
        case .byteArrays(let v):
            switch type {
            case .string: return .string(v.string(at: index))
            case .json: return .json(v.string(at: index))
            default: return .bytes(Array(v[index]))
            }
        case .dictionary(let values, let indices):
            return values.value(at: Int(indices[index]), type: type)
        case .list(let offsets, let child):
            return .list((Int(offsets[index])..<Int(offsets[index + 1])).map { child.value(at: $0) })
        }
    }
}

/// Plain-notation text of a decimal: `unscaled × 10^-scale` with exactly `scale` fraction digits.
public func decimalText(unscaled: Int128, scale: Int) -> String {
    let negative = unscaled < 0
    var digits = String(unscaled.magnitude)
    guard scale > 0 else {
        if scale < 0 { digits += String(repeating: "0", count: -scale) }
        return (negative ? "-" : "") + digits
    }
    if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
    let split = digits.index(digits.endIndex, offsetBy: -scale)
    return (negative ? "-" : "") + digits[..<split] + "." + digits[split...]
}
