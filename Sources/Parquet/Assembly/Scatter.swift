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

/// Word by word: a word of 64 valid slots is one block copy, a word of nulls one fill.
private func scatter<T: BitwiseCopyable>(_ dense: [T], _ validity: ValidityBitmap, placeholder: T) -> [T] {
    let slots = validity.count
    return [T](unsafeUninitializedCapacity: slots) { out, initialized in
        dense.withUnsafeBufferPointer { input in
            validity.words.withUnsafeBufferPointer { words in
                var next = 0
                var slot = 0
                for word in words {
                    let n = min(64, slots - slot)
                    if n == 64 && word == ~0 {
                        (out.baseAddress! + slot).initialize(from: input.baseAddress! + next, count: 64)
                        next += 64
                    } else if word == 0 {
                        (out.baseAddress! + slot).initialize(repeating: placeholder, count: n)
                    } else {
                        for bit in 0..<n {
                            if word & (1 << UInt64(bit)) != 0 {
                                (out.baseAddress! + slot + bit).initialize(to: input[next])
                                next += 1
                            } else {
                                (out.baseAddress! + slot + bit).initialize(to: placeholder)
                            }
                        }
                    }
                    slot += n
                }
            }
        }
        initialized = slots
    }
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
