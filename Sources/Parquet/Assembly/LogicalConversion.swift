import Columnar

extension PhysicalValues {
    /// Applies a leaf's logical conversion to the dense values (DESIGN.md's type mapping).
    /// - Throws: `.valueOutOfRange` for a uint64 above Int64.max or a decimal wider than 128 bits.
    consuming func storage(_ conversion: LeafConversion) throws -> ColumnStorage {
        switch (type, conversion) {
        case (.boolean, _): return .boolean(booleans)
        case (.int32, .uint32): return .int64(int32s.map { Int64(UInt32(bitPattern: $0)) })
        case (.int32, .timeMillis): return .int64(int32s.map { Int64($0) &* 1000 })
        case (.int32, .decimal): return .int128(int32s.map { Int128($0) })
        case (.int32, _): return .int32(int32s)
        case (.int64, .uint64):
            if let index = int64s.firstIndex(where: { $0 < 0 }) {
                throw ParquetError(.valueOutOfRange, "uint64 value \(UInt64(bitPattern: int64s[index])) is above the LONG range")
            }
            return .int64(int64s)
        case (.int64, .timeNanos): return .int64(dividingInPlace(by: 1000))
        case (.int64, .decimal): return .int128(int64s.map { Int128($0) })
        case (.int64, _), (.int96, _): return .int64(int64s)
        case (.float, _): return .float32(floats)
        case (.double, _): return .float64(doubles)
        case (.byteArray, .decimal):
            var result: [Int128] = []
            result.reserveCapacity(byteArrays.count)
            for i in 0..<byteArrays.count { result.append(try bigEndianInteger(byteArrays[i])) }
            return .int128(result)
        case (.byteArray, _): return .byteArrays(byteArrays)
        case (.fixedLenByteArray, .decimal):
            var result: [Int128] = []
            result.reserveCapacity(count)
            for i in 0..<count { result.append(try bigEndianInteger(fixed[i * width..<(i + 1) * width])) }
            return .int128(result)
        case (.fixedLenByteArray, .float16):
            return .float32((0..<count).map { i in
                Float(Float16(bitPattern: UInt16(fixed[2 * i]) | UInt16(fixed[2 * i + 1]) << 8))
            })
        case (.fixedLenByteArray, .uuid):
            guard count <= Int(Int32.max) / 36 else { throw ParquetError(.unsupportedFeature, "too many UUID values in one column chunk") }
            var text = ByteArrays()
            text.reserveCapacity(values: count, bytes: count * 36)
            for i in 0..<count { text.append(uuidText(fixed[i * 16..<(i + 1) * 16]).utf8) }
            return .byteArrays(text)
        case (.fixedLenByteArray, _):
            guard fixed.count <= Int(Int32.max) else { throw ParquetError(.unsupportedFeature, "a column chunk holds more than 2 GiB of data") }
            return .byteArrays(ByteArrays(offsets: (0...count).map { Int32($0 * width) }, data: fixed))
        }
    }
}

extension PhysicalValues {
    /// The INT64 values floor-divided by `divisor`, reusing their storage.
    fileprivate mutating func dividingInPlace(by divisor: Int64) -> [Int64] {
        var values = int64s
        int64s = []
        values.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = floorDivide(buffer[i], divisor) }
        }
        return values
    }
}

@inline(__always)
func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient
}

/// A big-endian two's-complement integer of up to 16 significant bytes.
func bigEndianInteger(_ bytes: ArraySlice<UInt8>) throws -> Int128 {
    guard let first = bytes.first else { return 0 }
    let negative = first & 0x80 != 0
    var trimmed = bytes[...]
    // Leading sign-extension bytes carry no value.
    while trimmed.count > 16, trimmed.first == (negative ? 0xff : 0x00) { trimmed = trimmed.dropFirst() }
    guard trimmed.count <= 16 else { throw ParquetError(.valueOutOfRange, "decimal of \(bytes.count) bytes exceeds 128 bits") }
    var value: UInt128 = negative ? ~0 : 0
    for byte in trimmed { value = value << 8 | UInt128(byte) }
    return Int128(bitPattern: value)
}

private func uuidText(_ bytes: ArraySlice<UInt8>) -> String {
    let hex = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(36)
    for (i, byte) in bytes.enumerated() {
        if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}
