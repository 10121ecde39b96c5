import Columnar

/// Decoded values of one leaf column chunk in their physical form, without null slots: the
/// output of the encoding decoders, before the logical type is applied.
struct PhysicalValues {
    let type: PhysicalType
    /// Bytes per value for FIXED_LEN_BYTE_ARRAY.
    let width: Int
    var booleans: [Bool] = []
    var int32s: [Int32] = []
    /// INT64 values, and INT96 values already converted to epoch milliseconds.
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
    mutating func appendGathering(from dictionary: PhysicalValues, indices: UnsafeBufferPointer<Int32>) {
        switch type {
        case .boolean: for i in indices { booleans.append(dictionary.booleans[Int(i)]) }
        case .int32: for i in indices { int32s.append(dictionary.int32s[Int(i)]) }
        case .int64, .int96: for i in indices { int64s.append(dictionary.int64s[Int(i)]) }
        case .float: for i in indices { floats.append(dictionary.floats[Int(i)]) }
        case .double: for i in indices { doubles.append(dictionary.doubles[Int(i)]) }
        case .byteArray: for i in indices { byteArrays.append(dictionary.byteArrays[Int(i)]) }
        case .fixedLenByteArray:
            for i in indices { fixed.append(contentsOf: dictionary.fixed[Int(i) * width..<(Int(i) + 1) * width]) }
        }
    }
}

/// Grows `array` by `count` elements and copies them from raw (possibly unaligned) bytes.
@inline(__always)
func appendRaw<T: FixedWidthInteger>(_ array: inout [T], from source: UnsafeRawPointer, count: Int) {
    let old = array.count
    array.append(contentsOf: repeatElement(0, count: count))
    array.withUnsafeMutableBytes { destination in
        (destination.baseAddress! + old * MemoryLayout<T>.stride).copyMemory(from: source, byteCount: count * MemoryLayout<T>.stride)
    }
}

@inline(__always)
func appendRaw<T: BinaryFloatingPoint>(_ array: inout [T], from source: UnsafeRawPointer, count: Int) {
    let old = array.count
    array.append(contentsOf: repeatElement(0, count: count))
    array.withUnsafeMutableBytes { destination in
        (destination.baseAddress! + old * MemoryLayout<T>.stride).copyMemory(from: source, byteCount: count * MemoryLayout<T>.stride)
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
