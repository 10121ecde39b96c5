import Columnar

/// One column's stored values while a segment is being built, and the indexes built from them.
final class ColumnAccumulator {
    let spec: PinotFieldSpec
    private let rules: ValueRules
    /// Single-value columns: one stored value per doc (nulls hold the default).
    private var cells: SingleValueStore
    /// Multi-value columns: every row's values back to back (a null row holds `[default]`), and
    /// where each row starts.
    private var flat: SingleValueStore
    private var rowStarts: [Int32] = [0]
    private var rowCount: Int { rowStarts.count - 1 }
    private var nulls: [UInt32] = []
    private var defaultCell: StoredCell?
    /// Rows that arrived dictionary-encoded (the Parquet fast path): each run's dictionary as
    /// stored cells and, per row, the index into it (-1 for null). When every row came this way
    /// the segment dictionary is the sorted union of these small dictionaries, and dictionary ids
    /// are remapped instead of hashing every row.
    private var runs: [(cells: [StoredCell], local: [Int32])] = []
    private var runRows = 0

    init(spec: PinotFieldSpec) {
        self.spec = spec
        rules = ValueRules(spec: spec)
        cells = SingleValueStore(type: spec.dataType)
        flat = SingleValueStore(type: spec.dataType)
    }

    /// The values of multi-value row `row`.
    private func row(_ row: Int) -> [StoredCell] {
        (Int(rowStarts[row])..<Int(rowStarts[row + 1])).map { flat[$0] }
    }

    private func fallback() throws(SegmentError) -> StoredCell {
        if let defaultCell { return defaultCell }
        let cell = try rules.defaultValue()
        defaultCell = cell
        return cell
    }

    func append(_ value: Value) throws(SegmentError) {
        let doc = UInt32(spec.singleValue ? cells.count : rowCount)
        if spec.singleValue {
            if case .list(let items) = value {
                // A list for a single-value column: Pinot keeps its only element.
                guard items.count <= 1 else { throw SegmentError(.invalidValue, "a list of \(items.count) values for a single-value column", column: spec.name) }
                try append(items.first ?? .null)
                return
            }
            if let cell = try rules.stored(value) {
                cells.append(cell)
            } else {
                cells.append(try fallback())
                nulls.append(doc)
            }
            return
        }
        let items: [Value]
        switch value {
        case .null: items = []
        case .list(let list): items = list
        default: items = [value]
        }
        var stored: [StoredCell] = []
        for item in items { if let cell = try rules.stored(item) { stored.append(cell) } }
        if stored.isEmpty {
            flat.append(try fallback())
            rowStarts.append(Int32(flat.count))
            nulls.append(doc)
        } else {
            for cell in stored { flat.append(cell) }
            rowStarts.append(Int32(flat.count))
        }
    }

    /// Appends plain STRING or BYTES values straight from their bytes: a string whose byte length
    /// is within `maxLength` cannot need cutting, so no text is decoded.
    func append(byteArrays: ByteArrays, validity: ValidityBitmap?) throws(SegmentError) {
        let limit = rules.maxLength
        for row in 0..<byteArrays.count {
            if let validity, !validity.isValid(row) {
                nulls.append(UInt32(cells.count))
                cells.append(try fallback())
                continue
            }
            let bytes = byteArrays[row]
            if spec.dataType == .string && bytes.count > limit {
                try append(.string(String(decoding: bytes, as: UTF8.self)))
            } else {
                cells.append(bytes: bytes)
            }
        }
    }

    /// Appends a dictionary-encoded single-value run: each dictionary entry goes through the value
    /// rules once, then rows take their entry by index.
    func append(dictionary values: Column, indices: [Int32], validity: ValidityBitmap?) throws(SegmentError) {
        guard spec.singleValue else {
            for (row, index) in indices.enumerated() {
                try append(validity.map { $0.isValid(row) } ?? true ? values.value(at: Int(index)) : .null)
            }
            return
        }
        var stored: [StoredCell?] = []
        stored.reserveCapacity(values.count)
        for entry in 0..<values.count { stored.append(try rules.stored(values.value(at: entry))) }
        var runCells: [StoredCell] = []
        var remap = [Int32](repeating: -1, count: stored.count)
        for (entry, cell) in stored.enumerated() {
            if let cell {
                remap[entry] = Int32(runCells.count)
                runCells.append(cell)
            }
        }
        var local: [Int32] = []
        local.reserveCapacity(indices.count)
        let fallback = try self.fallback()
        for (row, index) in indices.enumerated() {
            let id = (validity?.isValid(row) ?? true) ? remap[Int(index)] : -1
            local.append(id)
            if id < 0 {
                nulls.append(UInt32(cells.count))
                cells.append(fallback)
            } else {
                cells.append(runCells[Int(id)])
            }
        }
        runs.append((runCells, local))
        runRows += indices.count
    }

    /// The sorted dictionary and every doc's id, merging run dictionaries when all rows came in
    /// dictionary-encoded, else hashing the stored values.
    private func dictionaryAndIds(order: CellOrder) throws(SegmentError) -> ([StoredCell], [Int]) {
        if runRows == cells.count && !runs.isEmpty {
            var used: Set<StoredCell> = []
            for run in runs {
                var referenced = [Bool](repeating: false, count: run.cells.count)
                for id in run.local where id >= 0 { referenced[Int(id)] = true }
                for (entry, cell) in run.cells.enumerated() where referenced[entry] { used.insert(cell) }
            }
            if !nulls.isEmpty { used.insert(try fallback()) }
            let dictionary = used.sorted(by: order.less)
            var global: [StoredCell: Int] = [:]
            for (id, cell) in dictionary.enumerated() { global[cell] = id }
            let defaultId = nulls.isEmpty ? 0 : global[try fallback()]!
            var ids: [Int] = []
            ids.reserveCapacity(cells.count)
            for run in runs {
                let map = run.cells.map { global[$0] ?? 0 }
                for id in run.local { ids.append(id < 0 ? defaultId : map[Int(id)]) }
            }
            return (dictionary, ids)
        }
        return cells.sortedDictionary(order: order)
    }

    /// Min and max of a time column, as stored longs (nil when the segment is empty).
    func timeRange(docs: Int) throws(SegmentError) -> (Int64, Int64)? {
        guard cells.kind == .int || cells.kind == .long, cells.count > 0 else { return nil }
        let values = cells.numbers.lazy.map { Int64(bitPattern: $0) }
        return (values.min()!, values.max()!)
    }

    /// The column's index buffers in `columns.psf` order, with its metadata keys added.
    func build(docs: Int, table: TableConfig, metadata: inout MetadataWriter) throws(SegmentError) -> [(String, [UInt8])] {
        let order = CellOrder(type: spec.dataType)
        var singleValueIds: [Int] = []
        var flatIds: [Int] = []
        let dictionary: [StoredCell]
        if spec.singleValue {
            (dictionary, singleValueIds) = try dictionaryAndIds(order: order)
        } else {
            (dictionary, flatIds) = flat.sortedDictionary(order: order)
        }
        var raw = table.noDictionaryColumns.contains(spec.name)
        if table.dictionaryHeuristic, spec.singleValue, StoredValue.fixedWidth(spec.dataType) == nil, dictionary.count * 2 > docs {
            raw = raw || cells.totalBytes >= 32 * max(docs, 1)
        }
        let cardinality = max(dictionary.count, 1)
        let bits = IndexWriters.bitsPerElement(cardinality)
        let isSorted = spec.singleValue && cells.isNonDecreasing(order: order)
        var buffers: [(String, [UInt8])] = []
        var width = 0
        if raw {
            let code = table.compression[spec.name] ?? (spec.role == .metric ? 0 : 3)
            if spec.singleValue, let valueWidth = StoredValue.fixedWidth(spec.dataType) {
                buffers.append(("forward_index", try IndexWriters.rawFixed((0..<cells.count).map { cells[$0] }, width: valueWidth, code: code)))
            } else {
                let encoded: [[UInt8]] = spec.singleValue
                    ? (0..<cells.count).map { Array(cells.blobs[$0]) }
                    : (0..<rowCount).map { Self.encodeRow(row($0)) }
                let longest = encoded.map(\.count).max() ?? 0
                let target = table.targetChunkSize[spec.name]
                    ?? (longest.multipliedReportingOverflow(by: 1000).overflow || longest * 1000 > Int(Int32.max)
                        ? max(1 << 20, 4096) : max(min(longest * 1000, 1 << 20), 4096))
                buffers.append(("forward_index", try IndexWriters.rawVariable(encoded, targetChunkSize: target, code: code)))
            }
        } else {
            let (dictionaryBytes, dictionaryWidth) = IndexWriters.dictionary(dictionary, type: spec.dataType)
            width = dictionaryWidth
            buffers.append(("dictionary", dictionaryBytes))
            if spec.singleValue {
                let docIds = singleValueIds
                buffers.append(("forward_index", isSorted ? IndexWriters.sortedForward(docIds, cardinality: cardinality)
                                                           : IndexWriters.fixedBitForward(docIds, bits: bits)))
                if table.invertedIndexColumns.contains(spec.name) && !isSorted {
                    buffers.append(("inverted_index", IndexWriters.invertedIndex(docIds.map { [$0] }, cardinality: cardinality)))
                }
            } else {
                let rowIds = (0..<rowCount).map { Array(flatIds[Int(rowStarts[$0])..<Int(rowStarts[$0 + 1])]) }
                buffers.append(("forward_index", IndexWriters.fixedBitMultiValue(rowIds, bits: bits)))
                if table.invertedIndexColumns.contains(spec.name) {
                    buffers.append(("inverted_index", IndexWriters.invertedIndex(rowIds, cardinality: cardinality)))
                }
            }
        }
        if !nulls.isEmpty { buffers.append(("nullvalue_vector", RoaringWriter.serialize(nulls))) }
        try writeMetadata(&metadata, docs: docs, dictionary: dictionary, raw: raw, isSorted: isSorted, width: width, bits: bits)
        return buffers
    }

    private func writeMetadata(
        _ m: inout MetadataWriter, docs: Int, dictionary: [StoredCell], raw: Bool, isSorted: Bool, width: Int, bits: Int
    ) throws(SegmentError) {
        let key = "column.\(spec.name)."
        let columnType = spec.role == .dimension ? "DIMENSION" : spec.role == .metric ? "METRIC" : "DATE_TIME"
        m.add(key + "columnType", columnType)
        m.add(key + "dataType", spec.dataType.rawValue)
        m.add(key + "isSingleValues", spec.singleValue ? "true" : "false")
        if let format = spec.format {
            // Pinot writes a TIMESTAMP format in its short form.
            m.add(key + "datetimeFormat", format == "TIMESTAMP" || format.hasSuffix(":TIMESTAMP") ? "TIMESTAMP" : format)
        }
        if let granularity = spec.granularity { m.add(key + "datetimeGranularity", granularity) }
        m.add(key + "defaultNullValue", try text(try fallback(), guarded: true) ?? "")
        m.add(key + "totalDocs", String(docs))
        m.add(key + "cardinality", String(max(dictionary.count, 1)))
        m.add(key + "hasDictionary", raw ? "false" : "true")
        m.add(key + "forwardIndexEncoding", raw ? "RAW" : "DICTIONARY")
        m.add(key + "isSorted", isSorted ? "true" : "false")
        let variable = StoredValue.fixedWidth(spec.dataType) == nil
        if variable {
            let lengths = dictionary.map { Self.bytes($0).count }
            m.add(key + "lengthOfShortestElement", String(lengths.min() ?? 0))
            m.add(key + "lengthOfLongestElement", String(lengths.max() ?? 0))
            if spec.dataType == .string || spec.dataType == .json {
                m.add(key + "isAscii", dictionary.allSatisfy { Self.bytes($0).allSatisfy { $0 < 0x80 } } ? "true" : "false")
            }
            if !spec.singleValue {
                let offsets = flat.blobs.offsets
                let rowBytes = (0..<rowCount).map { Int(offsets[Int(rowStarts[$0 + 1])] - offsets[Int(rowStarts[$0])]) }
                m.add(key + "maxRowLengthInBytes", String(rowBytes.max() ?? 0))
            }
        }
        m.add(key + "lengthOfEachEntry", String(raw ? 0 : width))
        m.add(key + "bitsPerElement", String(bits))
        let longestRow = spec.singleValue ? 0 : (0..<rowCount).map { Int(rowStarts[$0 + 1] - rowStarts[$0]) }.max() ?? 0
        m.add(key + "maxNumberOfMultiValues", String(longestRow))
        m.add(key + "totalNumberOfEntries", String(spec.singleValue ? docs : flat.count))
        let low = dictionary.first
        let high = dictionary.last
        let minText = try low.flatMap { (cell) throws(SegmentError) in try text(cell, guarded: true) }
        let maxText = try high.flatMap { (cell) throws(SegmentError) in try text(cell, guarded: true) }
        if let minText { m.add(key + "minValue", minText) }
        if let maxText { m.add(key + "maxValue", maxText) }
        if low != nil, minText == nil, maxText == nil { m.add(key + "minMaxValueInvalid", "true") }
        if nulls.isEmpty { m.add(key + "isNonNull", "true") }
        if let maxLength = spec.maxLength, maxLength != 512 { m.add(key + "schemaMaxLength", String(maxLength)) }
    }

    /// A value's text in metadata (nil when Pinot leaves it out: surrogates, or over 512 units).
    private func text(_ cell: StoredCell, guarded: Bool) throws(SegmentError) -> String? {
        switch (spec.dataType, cell) {
        case (_, .int(let v)): return String(v)
        case (_, .long(let v)): return String(v)
        case (_, .float(let bits)): return JavaText.floating(Float(bitPattern: bits))
        case (_, .double(let bits)): return JavaText.floating(Double(bitPattern: bits))
        case (.bytes, .bytes(let b)): return b.count > 256 ? nil : hexText(b)
        case (.bigDecimal, .bytes(let b)):
            guard case .decimal(let unscaled, let scale) = try StoredValue.decodeVariable(.bigDecimal, b[...]) else { return nil }
            return JavaText.bigDecimal(unscaled: unscaled, scale: scale)
        case (_, .bytes(let b)):
            let string = String(decoding: b, as: UTF8.self)
            if string.unicodeScalars.contains(where: { $0.value > 0xFFFF }) || string.utf16.count > 512 { return nil }
            return guarded ? MetadataWriter.guardString(string) : string
        }
    }

    static func bytes(_ cell: StoredCell) -> [UInt8] {
        var writer = ByteWriter()
        writer.cell(cell)
        return writer.bytes
    }

    /// A raw multi-value row (spec §8.2): count and values, or count, lengths and bytes.
    static func encodeRow(_ row: [StoredCell]) -> [UInt8] {
        var writer = ByteWriter()
        writer.int32(Int32(row.count))
        if case .bytes? = row.first {
            for cell in row { writer.int32(Int32(bytes(cell).count)) }
        }
        for cell in row { writer.cell(cell) }
        return writer.bytes
    }
}

/// Java's sort orders for dictionary entries (spec §5.1).
struct CellOrder {
    let type: PinotDataType

    func less(_ a: StoredCell, _ b: StoredCell) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y
        case (.long(let x), .long(let y)): return x < y
        case (.float(let x), .float(let y)): return Float(bitPattern: x) < Float(bitPattern: y)
        case (.double(let x), .double(let y)): return Double(bitPattern: x) < Double(bitPattern: y)
        case (.bytes(let x), .bytes(let y)):
            switch type {
            case .string, .json:
                return Self.utf16Less(x[...], y[...])
            case .bigDecimal:
                return Self.decimalLess(x[...], y[...])
            default:
                return x.lexicographicallyPrecedes(y)
            }
        default: return false
        }
    }

    /// Java's `String.compareTo` (UTF-16 code units) on UTF-8 bytes without decoding: byte order
    /// is code point order, which differs from UTF-16 order only where a supplementary character
    /// (lead byte F0–F4, a surrogate pair in UTF-16) meets one of U+E000–U+FFFF (lead EE or EF).
    static func utf16Less(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        let count = min(a.count, b.count)
        var i = 0
        while i < count && a[a.startIndex + i] == b[b.startIndex + i] { i += 1 }
        guard i < count else { return a.count < b.count }
        let x = a[a.startIndex + i], y = b[b.startIndex + i]
        if x >= 0xF0 && (y == 0xEE || y == 0xEF) { return true }
        if y >= 0xF0 && (x == 0xEE || x == 0xEF) { return false }
        return x < y
    }

    /// The order of two variable-width values given as byte slices.
    func lessBytes(_ x: ArraySlice<UInt8>, _ y: ArraySlice<UInt8>) -> Bool {
        switch type {
        case .string, .json: Self.utf16Less(x, y)
        case .bigDecimal: Self.decimalLess(x, y)
        default: x.lexicographicallyPrecedes(y)
        }
    }

    private static func decimalLess(_ x: ArraySlice<UInt8>, _ y: ArraySlice<UInt8>) -> Bool {
        guard case .decimal(let a, let sa)? = try? StoredValue.decodeVariable(.bigDecimal, x),
              case .decimal(let b, let sb)? = try? StoredValue.decodeVariable(.bigDecimal, y) else { return false }
        // Compare a×10^-sa with b×10^-sb by aligning scales; fall back to Double when aligning overflows.
        let scale = max(sa, sb)
        func aligned(_ v: Int128, _ s: Int) -> Int128? {
            var result = v
            for _ in 0..<(scale - s) {
                let (next, overflow) = result.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                result = next
            }
            return result
        }
        if let left = aligned(a, sa), let right = aligned(b, sb) { return left < right }
        return (Double(decimalText(unscaled: a, scale: sa)) ?? 0) < (Double(decimalText(unscaled: b, scale: sb)) ?? 0)
    }
}
