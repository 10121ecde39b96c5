import Columnar

/// PLAIN encoding (Encodings.md, "Plain"): fixed-width values little-endian back to back,
/// booleans bit-packed LSB first, BYTE_ARRAY as a 4-byte length then the bytes, INT96 as 12 bytes.
enum PlainDecoder {
    /// Decodes `count` values from the start of `data` into `values`; returns the bytes used.
    /// - Throws: `.corruptPage` if `data` is shorter than `count` values.
    static func decode(_ data: UnsafeRawBufferPointer, count: Int, into values: inout PhysicalValues) throws(ParquetError) -> Int {
        guard count > 0 else { return 0 }
        let type = values.type
        func need(_ bytes: Int) throws(ParquetError) {
            guard bytes <= data.count else {
                throw ParquetError(.corruptPage, "PLAIN data holds \(data.count) bytes, \(count) \(type) values need \(bytes)")
            }
        }
        guard let base = data.baseAddress else {
            throw ParquetError(.corruptPage, "PLAIN data is empty, \(count) \(type) values expected")
        }
        /// Fixed-width values copied as they lie (little-endian on every platform we build for).
        func fixedWidth<T: Numeric & BitwiseCopyable>(_ array: inout [T]) throws(ParquetError) -> Int {
            let bytes = count * MemoryLayout<T>.size
            try need(bytes)
            appendRaw(&array, from: base, count: count)
            return bytes
        }
        switch values.type {
        case .boolean:
            let bytes = (count + 7) / 8
            try need(bytes)
            values.booleans.reserveCapacity(values.booleans.count + count)
            for i in 0..<count {
                values.booleans.append(data[i >> 3] & (1 << UInt8(i & 7)) != 0)
            }
            return bytes
        case .int32: return try fixedWidth(&values.int32s)
        case .float: return try fixedWidth(&values.floats)
        case .int64: return try fixedWidth(&values.int64s)
        case .double: return try fixedWidth(&values.doubles)
        case .int96:
            try need(count * 12)
            values.int64s.reserveCapacity(values.int64s.count + count)
            for i in 0..<count {
                let nanos = Int64(littleEndian: base.loadUnaligned(fromByteOffset: i * 12, as: Int64.self))
                let julianDay = Int32(littleEndian: base.loadUnaligned(fromByteOffset: i * 12 + 8, as: Int32.self))
                values.int64s.append(int96Micros(julianDay: julianDay, nanosOfDay: nanos))
            }
            return count * 12
        case .fixedLenByteArray:
            let bytes = count * values.width
            try need(bytes)
            values.fixed.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[0..<bytes]))
            return bytes
        case .byteArray:
            return try decodeByteArrays(data, count: count, into: &values.byteArrays)
        }
    }

    /// BYTE_ARRAY values: one pass to check every length, then one copy of the bytes.
    private static func decodeByteArrays(_ data: UnsafeRawBufferPointer, count: Int, into values: inout ByteArrays) throws(ParquetError) -> Int {
        guard let base = data.baseAddress else { throw ParquetError(.corruptPage, "BYTE_ARRAY data is empty") }
        var position = 0
        for _ in 0..<count {
            guard data.count - position >= 4 else {
                throw ParquetError(.corruptPage, "BYTE_ARRAY length runs past the end of the page data at byte \(position)")
            }
            let length = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
            position += 4
            guard length <= data.count - position else {
                throw ParquetError(.corruptPage, "BYTE_ARRAY value of \(length) bytes runs past the end of the page data at byte \(position)")
            }
            position += length
        }
        let payload = position - 4 * count
        let start = values.data.count
        guard start + payload <= Int(Int32.max) else {
            throw ParquetError(.unsupportedFeature, "a column chunk holds more than 2 GiB of BYTE_ARRAY data")
        }
        values.reserveCapacity(values: values.count + count, bytes: start + payload)
        var offsets = values.offsets
        values.offsets = []
        defer { values.offsets = offsets }
        values.data.append(contentsOf: repeatElement(0, count: payload))
        values.data.withUnsafeMutableBytes { destination in
            var source = 0
            var end = start
            for _ in 0..<count {
                let length = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: source, as: UInt32.self)))
                (destination.baseAddress! + end).copyMemory(from: base + source + 4, byteCount: length)
                source += 4 + length
                end += length
                offsets.append(Int32(truncatingIfNeeded: end))
            }
        }
        return position
    }

    /// INT96 timestamps: nanoseconds within the day, then the Julian day number. Computed as
    /// Spark reads them (microseconds, wrapping at 64 bits, which undoes the overflow Spark
    /// commits when it writes dates far outside the nanosecond range).
    @inline(__always)
    static func int96Micros(julianDay: Int32, nanosOfDay: Int64) -> Int64 {
        let unixDay = Int64(julianDay) - 2_440_588
        return unixDay &* 86_400_000_000 &+ nanosOfDay / 1000
    }
}
