/// A reader of the Thrift compact protocol, enough for Parquet's metadata: it decodes the field
/// types Parquet uses and skips anything else, including fields added by newer writers.
///
/// Spec: Thrift compact protocol (thrift/doc/specs/thrift-compact-protocol.md). Every read is
/// bounds-checked; malformed input produces `ParquetError.corruptMetadata`, never a trap.
struct CompactProtocolReader {
    enum FieldType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6
        case double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12

        /// The type's name in the Thrift spec, for messages.
        var name: String {
            switch self {
            case .stop: "stop"
            case .boolTrue, .boolFalse: "bool"
            case .byte: "byte"
            case .i16: "i16"
            case .i32: "i32"
            case .i64: "i64"
            case .double: "double"
            case .binary: "binary"
            case .list: "list"
            case .set: "set"
            case .map: "map"
            case .structure: "struct"
            }
        }
    }

    private let bytes: UnsafeRawBufferPointer
    /// The file offset of `bytes[0]`, so that errors name the place in the file.
    private let base: Int
    private(set) var position: Int
    private var lastFieldIds: [Int16] = []
    private var lastFieldId: Int16 = 0
    /// The boolean value carried in the field header of the current bool field.
    private var pendingBool: Bool?
    private static let maxDepth = 64

    /// - Parameter base: where `bytes` starts in the file.
    init(_ bytes: UnsafeRawBufferPointer, base: Int = 0, position: Int = 0) {
        self.bytes = bytes
        self.base = base
        self.position = position
    }

    func fail(_ message: String) -> ParquetError {
        ParquetError(.corruptMetadata, "Thrift: \(message)", offset: base + position)
    }

    mutating func readByte() throws(ParquetError) -> UInt8 {
        guard position < bytes.count else { throw fail("unexpected end of data") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readVarint() throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64 else { throw fail("varint longer than 10 bytes") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func readZigZag() throws(ParquetError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    // MARK: structs

    mutating func beginStruct() throws(ParquetError) {
        guard lastFieldIds.count < Self.maxDepth else { throw fail("structs nested deeper than \(Self.maxDepth)") }
        lastFieldIds.append(lastFieldId)
        lastFieldId = 0
    }

    /// The next field's id and type, or nil at the struct's end (which it also closes).
    mutating func nextField() throws(ParquetError) -> (id: Int16, type: FieldType)? {
        let header = try readByte()
        guard let type = FieldType(rawValue: header & 0x0f) else { throw fail("unknown field type \(header & 0x0f)") }
        if type == .stop {
            lastFieldId = lastFieldIds.popLast() ?? 0
            return nil
        }
        let delta = Int16(header >> 4)
        if delta != 0 {
            lastFieldId &+= delta
        } else {
            let id = try readZigZag()
            guard let narrow = Int16(exactly: id) else { throw fail("field id \(id) out of range") }
            lastFieldId = narrow
        }
        switch type {
        case .boolTrue: pendingBool = true
        case .boolFalse: pendingBool = false
        default: pendingBool = nil
        }
        return (lastFieldId, type)
    }

    // MARK: typed values (checked against the wire type)

    private func expect(_ actual: FieldType, _ allowed: FieldType...) throws(ParquetError) {
        guard allowed.contains(actual) else {
            throw fail("expected \(allowed.map(\.name).joined(separator: " or ")), found \(actual.name)")
        }
    }

    mutating func readBool(_ type: FieldType) throws(ParquetError) -> Bool {
        if let pendingBool, type == .boolTrue || type == .boolFalse {
            self.pendingBool = nil
            return pendingBool
        }
        // Inside lists a bool is a whole byte.
        try expect(type, .boolTrue, .boolFalse, .byte)
        return try readByte() == 1
    }

    mutating func readI32(_ type: FieldType) throws(ParquetError) -> Int32 {
        try expect(type, .i32, .i16, .byte)
        if type == .byte { return Int32(Int8(bitPattern: try readByte())) }
        let value = try readZigZag()
        guard let narrow = Int32(exactly: value) else { throw fail("i32 value \(value) out of range") }
        return narrow
    }

    mutating func readI64(_ type: FieldType) throws(ParquetError) -> Int64 {
        try expect(type, .i64, .i32, .i16, .byte)
        if type == .byte { return Int64(Int8(bitPattern: try readByte())) }
        return try readZigZag()
    }

    mutating func readBinary(_ type: FieldType) throws(ParquetError) -> [UInt8] {
        try expect(type, .binary)
        let length = try readVarint()
        guard length <= UInt64(bytes.count - position) else { throw fail("binary of \(length) bytes runs past the end") }
        defer { position += Int(length) }
        return Array(bytes[position..<position + Int(length)])
    }

    mutating func readString(_ type: FieldType) throws(ParquetError) -> String {
        String(decoding: try readBinary(type), as: UTF8.self)
    }

    /// A list header: element type and count. The count is checked against the bytes left
    /// (every element takes at least one byte, except bools and empty structs, still ≥ 1).
    /// An empty list may carry element type 0, as fastparquet writes it (the reference readers
    /// accept it: no element is ever read).
    mutating func beginList(_ type: FieldType) throws(ParquetError) -> (elementType: FieldType, count: Int) {
        try expect(type, .list, .set)
        let header = try readByte()
        var count = UInt64(header >> 4)
        if count == 15 { count = try readVarint() }
        guard let elementType = FieldType(rawValue: header & 0x0f), elementType != .stop || count == 0 else {
            throw fail("unknown list element type \(header & 0x0f)")
        }
        guard count <= UInt64(bytes.count - position) else { throw fail("list of \(count) elements runs past the end") }
        return (elementType, Int(count))
    }

    /// Reads a list of structs, calling `element` once per struct between begin/end.
    mutating func readList<T>(_ type: FieldType, _ element: (inout CompactProtocolReader) throws(ParquetError) -> T) throws(ParquetError) -> [T] {
        let (elementType, count) = try beginList(type)
        var result: [T] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            if elementType == .structure { try beginStruct() }
            result.append(try element(&self))
        }
        return result
    }

    mutating func readI32List(_ type: FieldType) throws(ParquetError) -> [Int32] {
        let (elementType, count) = try beginList(type)
        var result: [Int32] = []
        for _ in 0..<count { result.append(try readI32(elementType)) }
        return result
    }

    mutating func readStringList(_ type: FieldType) throws(ParquetError) -> [String] {
        let (elementType, count) = try beginList(type)
        var result: [String] = []
        for _ in 0..<count { result.append(try readString(elementType)) }
        return result
    }

    // MARK: skipping

    mutating func skip(_ type: FieldType, depth: Int = 0) throws(ParquetError) {
        guard depth < Self.maxDepth else { throw fail("values nested deeper than \(Self.maxDepth)") }
        switch type {
        case .stop: throw fail("cannot skip a stop field")
        case .boolTrue, .boolFalse: pendingBool = nil
        case .byte: _ = try readByte()
        case .i16, .i32, .i64: _ = try readVarint()
        case .double:
            guard bytes.count - position >= 8 else { throw fail("double runs past the end") }
            position += 8
        case .binary:
            let length = try readVarint()
            guard length <= UInt64(bytes.count - position) else { throw fail("binary of \(length) bytes runs past the end") }
            position += Int(length)
        case .list, .set:
            let (elementType, count) = try beginList(type)
            for _ in 0..<count {
                if elementType == .boolTrue || elementType == .boolFalse { _ = try readByte() } else { try skip(elementType, depth: depth + 1) }
            }
        case .map:
            let count = try readVarint()
            guard count <= UInt64(bytes.count - position) else { throw fail("map of \(count) entries runs past the end") }
            if count == 0 { return }
            let types = try readByte()
            guard let keyType = FieldType(rawValue: types >> 4), let valueType = FieldType(rawValue: types & 0x0f) else {
                throw fail("unknown map entry types")
            }
            for _ in 0..<count {
                try skipMapElement(keyType, depth: depth)
                try skipMapElement(valueType, depth: depth)
            }
        case .structure:
            try beginStruct()
            while let field = try nextField() { try skip(field.type, depth: depth + 1) }
        }
    }

    private mutating func skipMapElement(_ type: FieldType, depth: Int) throws(ParquetError) {
        if type == .boolTrue || type == .boolFalse { _ = try readByte() } else { try skip(type, depth: depth + 1) }
    }

    /// Skips the rest of the current struct (used when a union or struct is read only in part).
    mutating func skipRestOfStruct() throws(ParquetError) {
        while let field = try nextField() { try skip(field.type) }
    }
}
