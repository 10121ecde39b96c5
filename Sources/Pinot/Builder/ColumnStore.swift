import Columnar

/// One column's values while a segment is being built, without an object per row: each entry's
/// id into the column's distinct values (``NumberTable`` or ``BytesTable``) in an ``IdList``,
/// the docs that were null, and for multi-value columns where each row's entries start. A
/// single-value column has one entry per doc; a multi-value column its rows' values back to
/// back (a null or empty row holds the one default value Pinot stores for it).
///
/// Values arrive a vector at a time from `Columnar` columns: typed loops over raw memory with
/// Pinot's value rules applied in bulk, ids written into a reused scratch buffer; a Parquet
/// dictionary's entries go through the rules once and rows take their ids. JSON rows arrive one
/// `Value` at a time.
struct ColumnStore: @unchecked Sendable {
    enum Kind: Sendable { case int32, int64, float32, float64, bytes }

    let spec: PinotFieldSpec
    let kind: Kind
    let rules: ValueRules
    /// The format of a LONG/INT date-time field: timestamp columns (in whatever unit the file
    /// wrote) are converted into it, keeping every digit the format holds.
    let timestampFormat: TimeFormat?
    let numbers: NumberTable
    let strings = BytesTable()
    var entries = IdList()
    var rowStarts: [UInt32] = [0]
    var nulls: [UInt32] = []
    private(set) var docs = 0
    private var defaultId: UInt32?
    /// Set when rows were taken back: some distinct values may no longer be referenced.
    private(set) var needsCompaction = false
    /// Every entry's byte length summed (variable-width columns): what a raw forward index holds.
    private(set) var entryBytes = 0
    private var scratch: [UInt32] = []

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
        numbers = NumberTable(order: kind == .float32 ? .float32 : kind == .float64 ? .float64 : .signed)
        if spec.role == .dateTime, spec.dataType == .long || spec.dataType == .int {
            timestampFormat = spec.format.flatMap(TimeFormat.init)
        } else {
            timestampFormat = nil
        }
    }

    var distinctCount: Int { kind == .bytes ? strings.count : numbers.count }

    /// Tells the store how many rows (and, for multi-value columns, roughly entries) to expect,
    /// so storage is reserved once instead of grown with slack.
    mutating func expect(rows: Int) {
        entries.expected = rows
        numbers.limit = rows + 1
        strings.limit = rows + 1
    }

    /// Memory held, for sealing by a byte target.
    var estimatedBytes: Int {
        entries.estimatedBytes + rowStarts.capacity * 4 + nulls.capacity * 4 + scratch.capacity * 4
            + (kind == .bytes ? strings.estimatedBytes : numbers.estimatedBytes)
    }

    /// The larger of what the raw forward index and the dictionary of this column would hold: a
    /// segment seals before any column passes 2 GiB.
    var columnBytes: Int {
        guard kind == .bytes else { return distinctCount * 8 + entries.count * 4 }
        return Swift.max(entryBytes, strings.count * strings.longest)
    }

    // MARK: ids

    /// The id of one stored value.
    mutating func id(of cell: StoredCell) -> UInt32 {
        switch cell {
        case .int(let v): return numbers.id(of: UInt64(bitPattern: Int64(v)))
        case .long(let v): return numbers.id(of: UInt64(bitPattern: v))
        case .float(let bits): return numbers.id(of: UInt64(bits))
        case .double(let bits): return numbers.id(of: bits)
        case .bytes(let b): return strings.insert(b)
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
            var id = try rules.stored(value).map { self.id(of: $0) } ?? Self.null
            if id == Self.null {
                id = try defaultValueId()
                nulls.append(UInt32(docs))
            }
            entries.append(id, distinct: distinctCount)
            if kind == .bytes { entryBytes += strings.length(Int(id)) }
            docs += 1
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
        try appendRows(flat: row, lengths: [row.count])
    }

    /// Appends rows `rows` of a column vector.
    mutating func append(column: Column, rows: Range<Int>) throws(SegmentError) {
        guard rows.lowerBound >= 0, rows.upperBound <= column.count else {
            throw SegmentError(.invalidValue, "rows \(rows) lie outside the column's \(column.count) values", column: spec.name)
        }
        if spec.singleValue {
            if case .list = column.storage {
                for row in rows { try append(column.value(at: row)) }
                return
            }
            try appendSingle(column, rows: rows)
            return
        }
        guard case .list(let offsets, let child) = column.storage else {
            for row in rows { try append(column.value(at: row)) }
            return
        }
        guard rows.upperBound < offsets.count else {
            throw SegmentError(.invalidValue, "list offsets do not cover rows \(rows)", column: spec.name)
        }
        let first = Int(offsets[rows.lowerBound]), last = Int(offsets[rows.upperBound])
        guard first >= 0, first <= last, last <= child.count else {
            throw SegmentError(.invalidValue, "list offsets \(first)..<\(last) lie outside the \(child.count) elements", column: spec.name)
        }
        var elementIds = [UInt32](repeating: 0, count: last - first)
        try elementIds.withUnsafeMutableBufferPointer { (out) throws(SegmentError) in try fill(child, rows: first..<last, into: out) }
        // Each row: its non-null elements.
        var lengths: [Int] = []
        lengths.reserveCapacity(rows.count)
        var kept: [UInt32] = []
        kept.reserveCapacity(elementIds.count)
        for index in rows {
            let before = kept.count
            if column.validity?.isValid(index) ?? true {
                let start = Int(offsets[index]), end = Int(offsets[index + 1])
                guard start >= first, start <= end, end <= last else {
                    throw SegmentError(.invalidValue, "list offsets are not ascending at row \(index)", column: spec.name)
                }
                for element in start..<end where elementIds[element - first] != Self.null { kept.append(elementIds[element - first]) }
            }
            lengths.append(kept.count - before)
        }
        try appendRows(flat: kept, lengths: lengths)
    }

    /// Multi-value rows: `flat` holds their ids back to back, `lengths` each row's count (an
    /// empty row is stored as `[default]` and marked null).
    private mutating func appendRows(flat: [UInt32], lengths: [Int]) throws(SegmentError) {
        let total = flat.count
        var stored: [UInt32] = []
        stored.reserveCapacity(total + lengths.count)
        var position = 0
        for length in lengths {
            if length == 0 {
                stored.append(try defaultValueId())
                nulls.append(UInt32(docs))
            } else {
                stored.append(contentsOf: flat[position..<(position + length)])
                position += length
            }
            docs += 1
            guard entries.count + stored.count < Int(Int32.max) else {
                throw SegmentError(.invalidValue, "more than 2^31 multi-value entries in one segment (Pinot's int offsets): seal smaller segments", column: spec.name)
            }
            rowStarts.append(UInt32(entries.count + stored.count))
        }
        if kind == .bytes { for id in stored { entryBytes += strings.length(Int(id)) } }
        stored.withUnsafeBufferPointer { entries.append($0, distinct: distinctCount) }
    }

    /// Single-value rows, 65,536 at a time: ids into the reused scratch buffer, nulls replaced by
    /// the default.
    private mutating func appendSingle(_ column: Column, rows: Range<Int>) throws(SegmentError) {
        if case .dictionary = column.storage {
            // The dictionary's entries go through the rules once for the whole range.
            try appendPiece(column, rows: rows)
            if scratch.count > 65_536 { scratch = [] }
            return
        }
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = Swift.min(rows.upperBound, start + 65_536)
            try appendPiece(column, rows: start..<end)
            start = end
        }
    }

    private mutating func appendPiece(_ column: Column, rows: Range<Int>) throws(SegmentError) {
        let n = rows.count
        if scratch.count < n { scratch = [UInt32](repeating: 0, count: n) }
        var buffer = scratch
        scratch = []
        defer { scratch = buffer }
        try buffer.withUnsafeMutableBufferPointer { (all) throws(SegmentError) in
            let out = UnsafeMutableBufferPointer(rebasing: all[0..<n])
            try fill(column, rows: rows, into: out)
            for k in 0..<n where out[k] == Self.null {
                out[k] = try defaultValueId()
                nulls.append(UInt32(docs + k))
            }
            if kind == .bytes {
                var bytes = 0
                for id in out { bytes &+= strings.length(Int(id)) }
                entryBytes += bytes
            }
            entries.append(UnsafeBufferPointer(out), distinct: distinctCount)
        }
        docs += n
    }

    /// Takes back every doc from `count` on (a file whose later row groups failed to decode).
    mutating func truncate(docs count: Int) {
        guard count < docs else { return }
        if spec.singleValue {
            entries.truncate(to: count)
        } else {
            entries.truncate(to: Int(rowStarts[count]))
            rowStarts.removeLast(rowStarts.count - count - 1)
        }
        while let last = nulls.last, Int(last) >= count { nulls.removeLast() }
        docs = count
        needsCompaction = true
        if kind == .bytes {
            var bytes = 0
            for i in 0..<entries.count { bytes += strings.length(Int(entries[i])) }
            entryBytes = bytes
        }
    }

    /// Drops distinct values no entry refers to (after ``truncate(docs:)``).
    mutating func compact() {
        guard needsCompaction else { return }
        var used = [Bool](repeating: false, count: distinctCount)
        for i in 0..<entries.count { used[Int(entries[i])] = true }
        let remap = kind == .bytes ? strings.compact(keep: used) : numbers.compact(keep: used)
        entries.remap(remap, distinct: distinctCount)
        if let id = defaultId { defaultId = remap[Int(id)] == .max ? nil : remap[Int(id)] }
        needsCompaction = false
    }
}
