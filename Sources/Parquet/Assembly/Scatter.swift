import Columnar

/// Spreading dense (non-null) values over the slots of a column, nulls taking a placeholder.
extension ColumnStorage {
    func scattered(over validity: ValidityBitmap) -> ColumnStorage {
        switch self {
        case .boolean(let v): .boolean(scatter(v, validity, placeholder: false))
        case .int32(let v): .int32(scatter(v, validity, placeholder: 0))
        case .int64(let v): .int64(scatter(v, validity, placeholder: 0))
        case .float32(let v): .float32(scatter(v, validity, placeholder: 0))
        case .float64(let v): .float64(scatter(v, validity, placeholder: 0))
        case .int128(let v): .int128(scatter(v, validity, placeholder: 0))
        case .dictionary(let values, let indices): .dictionary(values: values, indices: scatter(indices, validity, placeholder: 0))
        case .byteArrays(let v):
            .byteArrays(ByteArrays(offsets: scatterOffsets(v.offsets, validity), data: v.data))
        case .list: self
        }
    }
}

private func scatter<T>(_ dense: [T], _ validity: ValidityBitmap, placeholder: T) -> [T] {
    var result = [T](repeating: placeholder, count: validity.count)
    var next = 0
    result.withUnsafeMutableBufferPointer { out in
        dense.withUnsafeBufferPointer { input in
            for slot in 0..<validity.count where validity.isValid(slot) {
                out[slot] = input[next]
                next += 1
            }
        }
    }
    return result
}

private func scatterOffsets(_ dense: [Int32], _ validity: ValidityBitmap) -> [Int32] {
    var result = [Int32](repeating: 0, count: validity.count + 1)
    var next = 0
    for slot in 0..<validity.count {
        if validity.isValid(slot) { next += 1 }
        result[slot + 1] = dense[next]
    }
    return result
}
