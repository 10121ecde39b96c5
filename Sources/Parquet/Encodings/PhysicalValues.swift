import Columnar

/// Decoded values of one leaf column chunk in their physical form, without null slots: the
/// output of the encoding decoders, before the logical type is applied.
struct PhysicalValues {
    let type: PhysicalType
    /// Bytes per value for FIXED_LEN_BYTE_ARRAY.
    let width: Int
    var booleans: [Bool] = []
    var int32s: [Int32] = []
    /// INT64 values, and INT96 values already converted to epoch microseconds.
    var int64s: [Int64] = []
    var floats: [Float] = []
    var doubles: [Double] = []
    var byteArrays = ByteArrays()
    /// FIXED_LEN_BYTE_ARRAY values back to back, `width` bytes each.
    var fixed: [UInt8] = []

    init(type: PhysicalType, width: Int) {
        self.type = type
        self.width = width
    }

    var count: Int {
        switch type {
        case .boolean: booleans.count
        case .int32: int32s.count
        case .int64, .int96: int64s.count
        case .float: floats.count
        case .double: doubles.count
        case .byteArray: byteArrays.count
        case .fixedLenByteArray: width == 0 ? 0 : fixed.count / width
        }
    }

    /// Appends `dictionary[i]` for every index (materialising a dictionary-encoded run).
    /// - Throws: `.unsupportedFeature` when the result would pass 2 GiB.
    mutating func appendGathering(from dictionary: PhysicalValues, indices: UnsafeBufferPointer<Int32>) throws(ParquetError) {
        if type == .fixedLenByteArray {
            let (bytes, overflow) = indices.count.multipliedReportingOverflow(by: width)
            guard !overflow, fixed.count + bytes <= Int(Int32.max) else {
                throw ParquetError(.unsupportedFeature, "a column chunk holds more than 2 GiB of FIXED_LEN_BYTE_ARRAY data")
            }
        }
        switch type {
        case .boolean: for i in indices { booleans.append(dictionary.booleans[Int(i)]) }
        case .int32: for i in indices { int32s.append(dictionary.int32s[Int(i)]) }
        case .int64, .int96: for i in indices { int64s.append(dictionary.int64s[Int(i)]) }
        case .float: for i in indices { floats.append(dictionary.floats[Int(i)]) }
        case .double: for i in indices { doubles.append(dictionary.doubles[Int(i)]) }
        case .byteArray: try byteArrays.appendGathering(from: dictionary.byteArrays, indices: indices)
        case .fixedLenByteArray:
            for i in indices { fixed.append(contentsOf: dictionary.fixed[Int(i) * width..<(Int(i) + 1) * width]) }
        }
    }
}

/// Appends `count` little-endian values from raw bytes: one copy when the bytes are aligned for
/// `T`, else a fill and a byte copy.
@inline(__always)
func appendRaw<T: BitwiseCopyable & Numeric>(_ array: inout [T], from source: UnsafeRawPointer, count: Int) {
    if Int(bitPattern: source) % MemoryLayout<T>.alignment == 0 {
        if array.capacity < array.count + count { array.reserveCapacity(max(array.count + count, array.capacity * 2)) }
        array.append(contentsOf: UnsafeBufferPointer(start: source.assumingMemoryBound(to: T.self), count: count))
        return
    }
    let old = array.count
    array.append(contentsOf: repeatElement(0, count: count))
    array.withUnsafeMutableBytes { destination in
        (destination.baseAddress! + old * MemoryLayout<T>.stride).copyMemory(from: source, byteCount: count * MemoryLayout<T>.stride)
    }
}

extension PhysicalValues {
    /// Reserves room for `count` values (the column chunk's declared value count, already
    /// checked against the limits), so that appends never reallocate.
    mutating func reserve(_ count: Int, bytesHint: Int) {
        switch type {
        case .boolean: booleans.reserveCapacity(count)
        case .int32: int32s.reserveCapacity(count)
        case .int64, .int96: int64s.reserveCapacity(count)
        case .float: floats.reserveCapacity(count)
        case .double: doubles.reserveCapacity(count)
        case .byteArray: byteArrays.reserveCapacity(values: count, bytes: bytesHint)
        case .fixedLenByteArray: fixed.reserveCapacity(min(count.multipliedReportingOverflow(by: width).partialValue, bytesHint))
        }
    }
}

extension ByteArrays {
    /// Appends a value, refusing to grow past the 2 GiB that 32-bit offsets can address.
    @inline(__always)
    mutating func checkedAppend(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        guard data.count + bytes.count <= Int(Int32.max) else {
            throw ParquetError(.unsupportedFeature, "a column chunk holds more than 2 GiB of BYTE_ARRAY data")
        }
        append(bytes)
    }
}

extension ByteArrays {
    /// Appends `source[i]` for every index: lengths first, then one copy per value.
    mutating func appendGathering(from source: ByteArrays, indices: UnsafeBufferPointer<Int32>) throws(ParquetError) {
        var total = 0
        for i in indices {
            total += Int(source.offsets[Int(i) + 1] - source.offsets[Int(i)])
            guard data.count + total <= Int(Int32.max) else {
                throw ParquetError(.unsupportedFeature, "a column chunk holds more than 2 GiB of BYTE_ARRAY data")
            }
        }
        let start = data.count
        reserveCapacity(values: count + indices.count, bytes: start + total)
        data.append(contentsOf: repeatElement(0, count: total))
        var offsets = self.offsets
        self.offsets = []
        defer { self.offsets = offsets }
        data.withUnsafeMutableBytes { destination in
            source.data.withUnsafeBytes { bytes in
                source.offsets.withUnsafeBufferPointer { sourceOffsets in
                    var end = start
                    for i in indices {
                        let from = Int(sourceOffsets[Int(i)])
                        let length = Int(sourceOffsets[Int(i) + 1]) - from
                        if length > 0 { (destination.baseAddress! + end).copyMemory(from: bytes.baseAddress! + from, byteCount: length) }
                        end += length
                        offsets.append(Int32(truncatingIfNeeded: end))
                    }
                }
            }
        }
    }
}
