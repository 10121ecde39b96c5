import Columnar

#if canImport(Glibc)
import Glibc
#endif

/// Spreading a flat column's dense (non-null) values over its slots, in place: the arrays were
/// reserved for every slot when the chunk started, so they grow without reallocating, and the
/// values move backwards from the end, a word of 64 slots at a time, never overwriting one not
/// yet moved. Null slots get a zero placeholder.
extension PhysicalValues {
    mutating func spread(over validity: ValidityBitmap) throws(ParquetError) {
        switch type {
        case .boolean: spreadInPlace(&booleans, validity, placeholder: false)
        case .int32: spreadInPlace(&int32s, validity, placeholder: 0)
        case .int64, .int96: spreadInPlace(&int64s, validity, placeholder: 0)
        case .float: spreadInPlace(&floats, validity, placeholder: 0)
        case .double: spreadInPlace(&doubles, validity, placeholder: 0)
        case .byteArray: byteArrays.offsets = spreadOffsets(byteArrays.offsets, validity)
        case .fixedLenByteArray:
            let (bytes, overflow) = validity.count.multipliedReportingOverflow(by: width)
            guard !overflow, bytes <= Int(Int32.max) else {
                throw ParquetError(.unsupportedFeature, "a column chunk holds more than 2 GiB of FIXED_LEN_BYTE_ARRAY data")
            }
            var expanded = [UInt8](repeating: 0, count: validity.count * width)
            var next = 0
            for slot in 0..<validity.count where validity.isValid(slot) {
                expanded.withUnsafeMutableBytes { out in
                    fixed.withUnsafeBytes { input in
                        (out.baseAddress! + slot * width).copyMemory(from: input.baseAddress! + next * width, byteCount: width)
                    }
                }
                next += 1
            }
            fixed = expanded
        }
    }
}

func spreadInPlace<T: BitwiseCopyable>(_ values: inout [T], _ validity: ValidityBitmap, placeholder: T) {
    let dense = values.count
    let slots = validity.count
    guard slots > dense else { return }
    values.append(contentsOf: repeatElement(placeholder, count: slots - dense))
    values.withUnsafeMutableBufferPointer { buffer in
        validity.words.withUnsafeBufferPointer { words in
            let base = buffer.baseAddress!
            var next = dense
            var wordIndex = words.count - 1
            while wordIndex >= 0 {
                let start = wordIndex * 64
                let n = min(64, slots - start)
                let word = words[wordIndex]
                if n == 64 && word == ~0 {
                    next -= 64
                    memmove(base + start, base + next, 64 * MemoryLayout<T>.stride)
                } else {
                    var bit = n - 1
                    while bit >= 0 {
                        if word & (1 << UInt64(bit)) != 0 {
                            next -= 1
                            base[start + bit] = base[next]
                        } else {
                            base[start + bit] = placeholder
                        }
                        bit -= 1
                    }
                }
                wordIndex -= 1
            }
        }
    }
}

func spreadOffsets(_ dense: [Int32], _ validity: ValidityBitmap) -> [Int32] {
    [Int32](unsafeUninitializedCapacity: validity.count + 1) { out, initialized in
        out[0] = 0
        var next = 0
        for slot in 0..<validity.count {
            if validity.isValid(slot) { next += 1 }
            out[slot + 1] = dense[next]
        }
        initialized = validity.count + 1
    }
}
