import Columnar

/// One column's values while a segment is being built, without an object per row: each entry's
/// id into the column's distinct values (``DistinctNumbers`` or ``DistinctBytes``), the docs that
/// were null, and for multi-value columns where each row's entries start. A single-value column
/// has one entry per doc; a multi-value column its rows' values back to back (a null or empty row
/// holds the one default value Pinot stores for it).
///
/// Values arrive a vector at a time from `Columnar` columns (typed loops with Pinot's value rules
/// applied in bulk; a Parquet dictionary's entries go through the rules once and rows take their
/// ids), or one `Value` at a time from JSON rows.
struct ColumnStore: Sendable {
    enum Kind: Sendable { case int32, int64, float32, float64, bytes }

    let spec: PinotFieldSpec
    let kind: Kind
    let rules: ValueRules
    /// For LONG/INT date-time fields whose unit is not milliseconds: timestamp columns (epoch
    /// milliseconds in the column model) are converted into that unit.
    let timestampConversion: TimeFormat?
    private(set) var numbers: DistinctNumbers
    private(set) var strings = DistinctBytes()
    var entries: [UInt32] = []
    var rowStarts: [UInt32] = [0]
    var nulls: [UInt32] = []
    private(set) var docs = 0
    private var defaultId: UInt32?
    /// Set when rows were taken back: some distinct values may no longer be referenced.
    private(set) var needsCompaction = false
    /// Every entry's byte length summed (variable-width columns): what a raw forward index holds.
    private(set) var entryBytes = 0

    static let null = UInt32.max

    init(spec: PinotFieldSpec) {
        self.spec = spec
        rules = ValueRules(spec: spec)
        switch spec.dataType {
        case .int, .boolean: kind = .int32
        case .long, .timestamp: kind = .int64
        case .float: kind = .float32
        case .double: kind = .float64
        default: kind = .bytes
        }
        numbers = DistinctNumbers(order: kind == .float32 ? .float32 : kind == .float64 ? .float64 : .signed)
        if spec.role == .dateTime, spec.dataType == .long || spec.dataType == .int,
           let format = spec.format.flatMap(TimeFormat.init), !format.isMilliseconds {
            timestampConversion = format
        } else {
            timestampConversion = nil
        }
    }

    var distinctCount: Int { kind == .bytes ? strings.count : numbers.count }

    /// Memory held, for sealing by a byte target.
    var estimatedBytes: Int {
        entries.capacity * 4 + rowStarts.capacity * 4 + nulls.capacity * 4
            + (kind == .bytes ? strings.estimatedBytes : numbers.estimatedBytes)
    }

    /// The larger of what the raw forward index and the dictionary of this column would hold: a
    /// segment seals before any column passes 2 GiB.
    var columnBytes: Int {
        guard kind == .bytes else { return distinctCount * 8 + entries.count * 4 }
        return Swift.max(entryBytes, strings.count * strings.longest)
    }

    // MARK: ids

    @inline(__always)
    mutating func id(of cell: StoredCell) -> UInt32 {
        switch cell {
        case .int(let v): numbers.id(of: UInt64(bitPattern: Int64(v)))
        case .long(let v): numbers.id(of: UInt64(bitPattern: v))
        case .float(let bits): numbers.id(of: UInt64(bits))
        case .double(let bits): numbers.id(of: bits)
        case .bytes(let b): strings.id(of: b)
        }
    }

    mutating func defaultValueId() throws(SegmentError) -> UInt32 {
        if let defaultId { return defaultId }
        let id = id(of: try rules.defaultValue())
        defaultId = id
        return id
    }

    // MARK: appending

    /// Appends one row from a `Value` (the JSON-rows path). A list for a single-value column keeps
    /// its only element, as Pinot does.
    mutating func append(_ value: Value) throws(SegmentError) {
        if spec.singleValue {
            if case .list(let items) = value {
                guard items.count <= 1 else { throw SegmentError(.invalidValue, "a list of \(items.count) values for a single-value column", column: spec.name) }
                try append(items.first ?? .null)
                return
            }
            try appendDoc(try rules.stored(value).map { id(of: $0) } ?? Self.null)
            return
        }
        let items: [Value]
        switch value {
        case .null: items = []
        case .list(let list): items = list
        default: items = [value]
        }
        var row: [UInt32] = []
        for item in items { if let cell = try rules.stored(item) { row.append(id(of: cell)) } }
        try appendRow(row)
    }

    /// Appends rows `rows` of a column vector.
    mutating func append(column: Column, rows: Range<Int>) throws(SegmentError) {
        if spec.singleValue {
            if case .list = column.storage {
                for row in rows { try append(column.value(at: row)) }
                return
            }
            let ids = try ids(of: column, rows: rows)
            entries.reserveCapacity(entries.count + ids.count)
            for id in ids { try appendDoc(id) }
            return
        }
        guard case .list(let offsets, let child) = column.storage else {
            for row in rows { try append(column.value(at: row)) }
            return
        }
        guard rows.lowerBound >= 0, rows.upperBound < offsets.count else {
            throw SegmentError(.invalidValue, "list offsets do not cover rows \(rows)", column: spec.name)
        }
        let first = Int(offsets[rows.lowerBound]), last = Int(offsets[rows.upperBound])
        guard first >= 0, first <= last, last <= child.count else {
            throw SegmentError(.invalidValue, "list offsets \(first)..<\(last) lie outside the \(child.count) elements", column: spec.name)
        }
        let elementIds = try ids(of: child, rows: first..<last)
        var row: [UInt32] = []
        for index in rows {
            row.removeAll(keepingCapacity: true)
            if column.validity?.isValid(index) ?? true {
                let start = Int(offsets[index]), end = Int(offsets[index + 1])
                guard start >= first, start <= end, end <= last else {
                    throw SegmentError(.invalidValue, "list offsets are not ascending at row \(index)", column: spec.name)
                }
                for element in start..<end where elementIds[element - first] != Self.null { row.append(elementIds[element - first]) }
            }
            try appendRow(row)
        }
    }

    @inline(__always)
    private mutating func appendDoc(_ id: UInt32) throws(SegmentError) {
        if id == Self.null {
            entries.append(try defaultValueId())
            nulls.append(UInt32(docs))
        } else {
            entries.append(id)
        }
        if kind == .bytes { entryBytes += strings.length(Int(entries[entries.count - 1])) }
        docs += 1
    }

    /// One multi-value row; an empty one is stored as `[default]` and marked null.
    private mutating func appendRow(_ ids: [UInt32]) throws(SegmentError) {
        if ids.isEmpty {
            entries.append(try defaultValueId())
            nulls.append(UInt32(docs))
        } else {
            entries.append(contentsOf: ids)
        }
        if kind == .bytes {
            for id in entries[Int(rowStarts[rowStarts.count - 1])...] { entryBytes += strings.length(Int(id)) }
        }
        guard entries.count < Int(UInt32.max) else {
            throw SegmentError(.invalidValue, "more than 4 billion multi-value entries in one segment", column: spec.name)
        }
        rowStarts.append(UInt32(entries.count))
        docs += 1
    }

    /// Takes back every doc from `count` on (a file whose later row groups failed to decode).
    mutating func truncate(docs count: Int) {
        guard count < docs else { return }
        if spec.singleValue {
            entries.removeLast(entries.count - count)
        } else {
            entries.removeLast(entries.count - Int(rowStarts[count]))
            rowStarts.removeLast(rowStarts.count - count - 1)
        }
        while let last = nulls.last, Int(last) >= count { nulls.removeLast() }
        docs = count
        needsCompaction = true
        if kind == .bytes { entryBytes = entries.reduce(0) { $0 + strings.length(Int($1)) } }
    }

    /// Drops distinct values no entry refers to (after ``truncate(docs:)``).
    mutating func compact() {
        guard needsCompaction else { return }
        var used = [Bool](repeating: false, count: distinctCount)
        for id in entries { used[Int(id)] = true }
        let remap = kind == .bytes ? strings.compact(keep: used) : numbers.compact(keep: used)
        for i in entries.indices { entries[i] = remap[Int(entries[i])] }
        if let id = defaultId { defaultId = remap[Int(id)] == .max ? nil : remap[Int(id)] }
        needsCompaction = false
    }
}

extension ColumnStore {
    /// Each slot's id among the distinct values, or ``null`` when the slot is null or Pinot's
    /// rules make it null (NaN), for `rows` of `column`; slots `include` marks false are not
    /// looked at (``null``): entries of a Parquet dictionary that no row refers to.
    mutating func ids(of column: Column, rows: Range<Int>, include: [Bool]? = nil) throws(SegmentError) -> [UInt32] {
        guard rows.lowerBound >= 0, rows.upperBound <= column.count else {
            throw SegmentError(.invalidValue, "rows \(rows) lie outside the column's \(column.count) values", column: spec.name)
        }
        var out: [UInt32] = []
        out.reserveCapacity(rows.count)
        let validity = column.validity
        @inline(__always) func valid(_ row: Int) -> Bool { (include?[row] ?? true) && (validity?.isValid(row) ?? true) }
        let type = spec.dataType
        switch column.storage {
        case .dictionary(let values, let indices):
            var referenced = [Bool](repeating: false, count: values.count)
            for row in rows where valid(row) {
                let index = Int(indices[row])
                guard index >= 0, index < values.count else {
                    throw SegmentError(.invalidValue, "dictionary index \(index) at row \(row) is outside the \(values.count) entries", column: spec.name)
                }
                referenced[index] = true
            }
            let dictionary = try ids(of: Column(type: column.type, storage: values), rows: 0..<values.count, include: referenced)
            for row in rows { out.append(valid(row) ? dictionary[Int(indices[row])] : Self.null) }
        case .int32(let values) where type == .int || ((type == .long || type == .timestamp) && column.type != .timestamp):
            for row in rows { out.append(valid(row) ? numbers.id(of: UInt64(bitPattern: Int64(values[row]))) : Self.null) }
        case .int64(let values) where (type == .long || type == .timestamp) && (timestampConversion == nil || column.type != .timestamp):
            for row in rows { out.append(valid(row) ? numbers.id(of: UInt64(bitPattern: values[row])) : Self.null) }
        case .int64(let values) where column.type == .timestamp && timestampConversion != nil:
            let format = timestampConversion!
            for row in rows {
                guard valid(row) else { out.append(Self.null); continue }
                guard let converted = format.value(fromMillis: values[row]),
                      type == .long || Int32(exactly: converted) != nil else {
                    throw SegmentError(.invalidValue, "timestamp \(values[row]) ms does not fit the column's \(spec.format ?? "") \(type.rawValue) values", column: spec.name)
                }
                out.append(numbers.id(of: UInt64(bitPattern: converted)))
            }
        case .boolean(let values) where type == .boolean || type == .int:
            for row in rows { out.append(valid(row) ? numbers.id(of: values[row] ? 1 : 0) : Self.null) }
        case .float32(let values) where type == .float:
            for row in rows {
                let v = values[row]
                out.append(valid(row) && !v.isNaN ? numbers.id(of: UInt64((v == 0 ? 0 : v).bitPattern)) : Self.null)
            }
        case .float32(let values) where type == .double:
            for row in rows {
                let v = Double(values[row])
                out.append(valid(row) && !v.isNaN ? numbers.id(of: (v == 0 ? 0 : v).bitPattern) : Self.null)
            }
        case .float64(let values) where type == .double:
            for row in rows {
                let v = values[row]
                out.append(valid(row) && !v.isNaN ? numbers.id(of: (v == 0 ? 0 : v).bitPattern) : Self.null)
            }
        case .byteArrays(let arrays) where type == .string && column.type == .string:
            let limit = rules.maxLength
            try arrays.data.withBytes { (raw) throws(SegmentError) in
                for row in rows {
                    guard valid(row) else { out.append(Self.null); continue }
                    let range = arrays.range(row)
                    if range.count > limit {
                        guard let cell = try rules.stored(.string(arrays.string(at: row))) else { out.append(Self.null); continue }
                        out.append(id(of: cell))
                    } else {
                        out.append(strings.id(of: UnsafeRawBufferPointer(rebasing: raw[range])))
                    }
                }
            }
        case .byteArrays(let arrays) where type == .bytes && column.type == .bytes:
            arrays.data.withUnsafeBytes { raw in
                for row in rows {
                    out.append(valid(row) ? strings.id(of: UnsafeRawBufferPointer(rebasing: raw[arrays.range(row)])) : Self.null)
                }
            }
        case .byteArrays(let arrays) where type == .json && column.type == .json:
            // Normalise each distinct text once: rows first map to their raw text's id.
            var raw = DistinctBytes()
            var rawIds: [UInt32] = []
            rawIds.reserveCapacity(rows.count)
            arrays.data.withUnsafeBytes { bytes in
                for row in rows {
                    rawIds.append(valid(row) ? raw.id(of: UnsafeRawBufferPointer(rebasing: bytes[arrays.range(row)])) : Self.null)
                }
            }
            var normalized: [UInt32] = []
            normalized.reserveCapacity(raw.count)
            for entry in 0..<raw.count {
                let text = String(decoding: raw.bytes(entry), as: UTF8.self)
                normalized.append(try rules.stored(.json(text)).map { id(of: $0) } ?? Self.null)
            }
            for rawId in rawIds { out.append(rawId == Self.null ? Self.null : normalized[Int(rawId)]) }
        default:
            for row in rows {
                guard include?[row] ?? true else { out.append(Self.null); continue }
                let value = column.value(at: row)
                if case .list(let items) = value, spec.singleValue {
                    guard items.count <= 1 else { throw SegmentError(.invalidValue, "a list of \(items.count) values for a single-value column", column: spec.name) }
                    out.append(try items.first.flatMap { (item) throws(SegmentError) in try rules.stored(item) }.map { id(of: $0) } ?? Self.null)
                    continue
                }
                out.append(try rules.stored(value).map { id(of: $0) } ?? Self.null)
            }
        }
        return out
    }
}
