import Codecs

/// Avro's binary encoding (Avro specification, "Binary Encoding"): zig-zag varints, IEEE floats
/// little-endian, length-prefixed bytes and strings, blocked arrays and maps. Every length is
/// checked against the bytes left, so hostile input fails instead of allocating.
struct AvroBinaryDecoder {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    private static let maxDepth = 64
    /// A bound on array and map items per decoder, so that items taking no bytes (nulls) cannot
    /// make a small file expand without limit.
    static let maxItems = 1 << 26
    private var itemsDecoded = 0

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    mutating func readLong() throws(AvroError) -> Int64 {
        let start = position
        let result: UInt64
        do {
            result = try ULEB128.read(bytes, at: &position)
        } catch .truncated {
            throw AvroError(.truncated, "data ends inside a varint at byte \(position)")
        } catch {
            throw AvroError(.corruptData, "varint longer than 10 bytes at byte \(start + 11)")
        }
        return Int64(bitPattern: (result >> 1) ^ (0 &- (result & 1)))
    }

    mutating func readInt() throws(AvroError) -> Int32 {
        let value = try readLong()
        guard let narrow = Int32(exactly: value) else { throw AvroError(.corruptData, "int value \(value) out of range") }
        return narrow
    }

    mutating func readFixed(_ count: Int) throws(AvroError) -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw AvroError(.truncated, "\(count) bytes needed at byte \(position), \(remaining) left")
        }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    mutating func readBytes() throws(AvroError) -> [UInt8] {
        let length = try readLong()
        guard length >= 0 else { throw AvroError(.corruptData, "negative length \(length) at byte \(position)") }
        guard length <= Int64(remaining) else {
            throw AvroError(.truncated, "\(length) bytes needed at byte \(position), \(remaining) left")
        }
        return try readFixed(Int(length))
    }

    /// A block count of an array or map; a negative count is followed by the block's byte size.
    private mutating func readBlockCount() throws(AvroError) -> Int {
        var count = try readLong()
        if count < 0 {
            guard count != .min else { throw AvroError(.corruptData, "block count out of range") }
            count = -count
            _ = try readLong()
        }
        // Every item takes at least one byte unless it is null; cap by a generous bound.
        guard count <= Int64(remaining) * 8 + 1024 else {
            throw AvroError(.corruptData, "block of \(count) items in \(remaining) bytes")
        }
        itemsDecoded += Int(count)
        guard itemsDecoded <= Self.maxItems else {
            throw AvroError(.corruptData, "more than \(Self.maxItems) array or map items")
        }
        return Int(count)
    }

    mutating func read(_ schema: AvroSchema, depth: Int = 0) throws(AvroError) -> AvroValue {
        guard depth < Self.maxDepth else { throw AvroError(.corruptData, "values nested deeper than \(Self.maxDepth)") }
        switch schema {
        case .null: return .null
        case .boolean:
            guard position < bytes.count else { throw AvroError(.truncated, "data ends inside a boolean") }
            defer { position += 1 }
            return .boolean(bytes[position] != 0)
        case .int: return .int(try readInt())
        case .long: return .long(try readLong())
        case .float:
            let raw = try readFixed(4)
            return .float(Float(bitPattern: UInt32(raw[0]) | UInt32(raw[1]) << 8 | UInt32(raw[2]) << 16 | UInt32(raw[3]) << 24))
        case .double:
            let raw = try readFixed(8)
            var bits: UInt64 = 0
            for i in 0..<8 { bits |= UInt64(raw[i]) << (8 * UInt64(i)) }
            return .double(Double(bitPattern: bits))
        case .bytes: return .bytes(try readBytes())
        case .string: return .string(String(decoding: try readBytes(), as: UTF8.self))
        case .fixed(_, let size): return .fixed(try readFixed(size))
        case .enumeration(_, let symbols):
            let index = try readLong()
            guard index >= 0, index < symbols.count else { throw AvroError(.corruptData, "enum index \(index) out of range") }
            return .enumeration(index: Int(index), symbol: symbols[Int(index)])
        case .array(let items):
            var result: [AvroValue] = []
            while true {
                let count = try readBlockCount()
                if count == 0 { break }
                result.reserveCapacity(result.count + min(count, 4096))
                for _ in 0..<count { result.append(try read(items, depth: depth + 1)) }
            }
            return .array(result)
        case .map(let values):
            var result: [(String, AvroValue)] = []
            while true {
                let count = try readBlockCount()
                if count == 0 { break }
                for _ in 0..<count {
                    let key = String(decoding: try readBytes(), as: UTF8.self)
                    result.append((key, try read(values, depth: depth + 1)))
                }
            }
            return .map(AvroMap(result))
        case .union(let branches):
            let index = try readLong()
            guard index >= 0, index < branches.count else { throw AvroError(.corruptData, "union branch \(index) out of range") }
            return try read(branches[Int(index)], depth: depth + 1)
        case .record(_, let fields):
            var values: [AvroValue] = []
            values.reserveCapacity(fields.count)
            for field in fields { values.append(try read(field.schema, depth: depth + 1)) }
            return .record(AvroRecord(names: fields.map(\.name), values: values))
        case .logical(let inner, _):
            return try read(inner, depth: depth)
        }
    }
}
