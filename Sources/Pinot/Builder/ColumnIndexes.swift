import Columnar

/// One column of a segment, built: its index buffers in `columns.psf` order and its
/// `metadata.properties` lines.
struct BuiltColumn: Sendable {
    var name: String
    var buffers: [(index: String, buffer: IndexBuffer)]
    var metadata: MetadataWriter
    var raw: Bool
}

/// An index buffer: bytes built already, or — for the large, simple ones (a numeric dictionary,
/// a sorted forward index) — a generator that writes them straight into `columns.psf` when the
/// column's turn comes, so they are never held in memory whole.
enum IndexBuffer: Sendable {
    case bytes([UInt8])
    case generated(size: Int, write: @Sendable (_ sink: (UnsafeRawBufferPointer) throws(SegmentError) -> Void) throws(SegmentError) -> Void)

    var size: Int {
        switch self {
        case .bytes(let bytes): bytes.count
        case .generated(let size, _): size
        }
    }

    /// A generator writing `count` big-endian `UInt32` pairs or values, `chunk` at a time.
    static func bigEndian(count: Int, width: Int, _ value: @escaping @Sendable (Int) -> UInt64) -> IndexBuffer {
        .generated(size: count * width) { (sink) throws(SegmentError) in
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            var filled = 0
            for i in 0..<count {
                chunk.withUnsafeMutableBytes { out in
                    if width == 4 {
                        out.storeBytes(of: UInt32(truncatingIfNeeded: value(i)).bigEndian, toByteOffset: filled, as: UInt32.self)
                    } else {
                        out.storeBytes(of: value(i).bigEndian, toByteOffset: filled, as: UInt64.self)
                    }
                }
                filled += width
                if filled + width > chunk.count {
                    try chunk.withBytes { (raw) throws(SegmentError) in try sink(UnsafeRawBufferPointer(rebasing: raw[0..<filled])) }
                    filled = 0
                }
            }
            if filled > 0 { try chunk.withBytes { (raw) throws(SegmentError) in try sink(UnsafeRawBufferPointer(rebasing: raw[0..<filled])) } }
        }
    }
}

extension ColumnStore {
    /// Builds the column's indexes (spec §5–§8): the distinct values sorted once into the
    /// dictionary, every entry's id mapped through that permutation, then a dictionary and a
    /// sorted, fixed-bit or multi-value forward index (or a raw forward index), an inverted index
    /// where configured, and the null value vector.
    consuming func build(docs: Int, table: TableConfig) throws(SegmentError) -> BuiltColumn {
        compact()
        // Sorted order: `sorted[g]` is the local id of global id g; ids become global ids.
        let sorted: [UInt32]? = kind == .bytes ? DictionarySort.order(strings, type: spec.dataType) : DictionarySort.order(numbers)
        let implicit = entries.isImplicit && sorted == nil && spec.singleValue
        var ids: [UInt32] = implicit ? [] : entries.materialized()
        entries = IdList()
        if let sorted {
            var rank = [UInt32](repeating: 0, count: sorted.count)
            for (global, local) in sorted.enumerated() { rank[Int(local)] = UInt32(global) }
            ids.withUnsafeMutableBufferPointer { ids in
                rank.withUnsafeBufferPointer { rank in
                    for i in ids.indices { ids[i] = rank[Int(ids[i])] }
                }
            }
        }
        let dictionary = SortedDistinct(store: self, sorted: sorted)
        let cardinality = max(dictionary.count, 1)
        let bits = IndexWriters.bitsPerElement(cardinality)
        var raw = table.noDictionaryColumns.contains(spec.name)
        if table.dictionaryHeuristic, spec.singleValue, kind == .bytes, dictionary.count * 2 > docs {
            raw = raw || entryBytes >= 32 * max(docs, 1)
        }
        let isSorted = spec.singleValue && (implicit || ids.withUnsafeBufferPointer { ids in
            ids.count < 2 || !(1..<ids.count).contains { ids[$0] < ids[$0 - 1] }
        })
        if implicit && raw { ids = (0..<UInt32(docs)).map { $0 } }
        var buffers: [(String, IndexBuffer)] = []
        var metadata = MetadataWriter()
        if raw {
            buffers.append(("forward_index", .bytes(try rawForwardIndex(dictionary, ids: ids, table: table))))
            try writeMetadata(&metadata, docs: docs, dictionary: dictionary, ids: ids, raw: raw, isSorted: isSorted, width: 0, bits: bits)
        } else {
            if kind == .bytes {
                let (bytes, width): ([UInt8], Int)
                do throws(SegmentError) { (bytes, width) = try dictionary.serialized() } catch {
                    var located = error
                    located.column = spec.name
                    throw located
                }
                buffers.append(("dictionary", .bytes(bytes)))
                try writeMetadata(&metadata, docs: docs, dictionary: dictionary, ids: ids, raw: raw, isSorted: isSorted, width: width, bits: bits)
                // The distinct values are in the dictionary now: free them before the indexes.
                strings.release()
            } else {
                // Numbers: the dictionary is written from the values when the column's turn comes.
                buffers.append(("dictionary", dictionary.numberBuffer()))
                try writeMetadata(&metadata, docs: docs, dictionary: dictionary, ids: ids, raw: raw, isSorted: isSorted, width: 0, bits: bits)
            }
            if spec.singleValue {
                if implicit {
                    buffers.append(("forward_index", .bigEndian(count: docs * 2, width: 4) { UInt64($0 / 2) }))
                } else if isSorted {
                    buffers.append(("forward_index", IndexWriters.sortedForward(ids, cardinality: cardinality)))
                } else {
                    buffers.append(("forward_index", .bytes(IndexWriters.fixedBitForward(ids, bits: bits))))
                }
                if table.invertedIndexColumns.contains(spec.name) && !isSorted {
                    buffers.append(("inverted_index", .bytes(try IndexWriters.invertedIndex(entries: ids, rowStarts: nil, cardinality: cardinality, column: spec.name))))
                }
            } else {
                buffers.append(("forward_index", .bytes(IndexWriters.fixedBitMultiValue(entries: ids, rowStarts: rowStarts, bits: bits))))
                if table.invertedIndexColumns.contains(spec.name) {
                    buffers.append(("inverted_index", .bytes(try IndexWriters.invertedIndex(entries: ids, rowStarts: rowStarts, cardinality: cardinality, column: spec.name))))
                }
            }
        }
        if !nulls.isEmpty { buffers.append(("nullvalue_vector", .bytes(RoaringWriter.serialize(nulls)))) }
        return BuiltColumn(name: spec.name, buffers: buffers, metadata: metadata, raw: raw)
    }

    private func rawForwardIndex(_ dictionary: SortedDistinct, ids entries: [UInt32], table: TableConfig) throws(SegmentError) -> [UInt8] {
        let code = table.compression[spec.name] ?? (spec.role == .metric ? 0 : 3)
        let fixedWidth = StoredValue.fixedWidth(spec.dataType)
        if spec.singleValue, let width = fixedWidth {
            return try IndexWriters.rawFixed(count: entries.count, width: width, code: code) { dictionary.bits(Int(entries[$0])) }
        }
        let rows = spec.singleValue ? entries.count : rowStarts.count - 1
        func rowLength(_ row: Int) -> Int {
            if spec.singleValue { return dictionary.length(Int(entries[row])) }
            let range = Int(rowStarts[row])..<Int(rowStarts[row + 1])
            if let width = fixedWidth { return 4 + range.count * width }
            return 4 + range.reduce(0) { $0 + 4 + dictionary.length(Int(entries[$1])) }
        }
        var longest = 0
        for row in 0..<rows { longest = max(longest, rowLength(row)) }
        let target = table.targetChunkSize[spec.name]
            ?? (longest.multipliedReportingOverflow(by: 1000).overflow || longest * 1000 > Int(Int32.max)
                ? max(1 << 20, 4096) : max(min(longest * 1000, 1 << 20), 4096))
        var writer = RawVariableChunkWriter(targetChunkSize: target, code: code)
        var scratch = ByteWriter()
        for row in 0..<rows {
            if spec.singleValue {
                var failure: SegmentError?
                dictionary.withBytes(Int(entries[row])) { bytes in
                    do throws(SegmentError) { try writer.append(bytes) } catch { failure = error }
                }
                if let failure { throw failure }
                continue
            }
            // A raw multi-value row (spec §8.2): count and values, or count, lengths and bytes.
            scratch.bytes.removeAll(keepingCapacity: true)
            let range = Int(rowStarts[row])..<Int(rowStarts[row + 1])
            scratch.int32(Int32(range.count))
            if let width = fixedWidth {
                for index in range {
                    if width == 4 { scratch.int32(Int32(truncatingIfNeeded: dictionary.bits(Int(entries[index])))) }
                    else { scratch.int64(Int64(bitPattern: dictionary.bits(Int(entries[index])))) }
                }
            } else {
                for index in range { scratch.int32(Int32(dictionary.length(Int(entries[index])))) }
                for index in range { dictionary.withBytes(Int(entries[index])) { scratch.bytes.append(contentsOf: $0) } }
            }
            try writer.append(scratch.bytes)
        }
        return try writer.finish()
    }

    private func writeMetadata(
        _ m: inout MetadataWriter, docs: Int, dictionary: SortedDistinct, ids entries: [UInt32], raw: Bool, isSorted: Bool, width: Int, bits: Int
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
        m.add(key + "defaultNullValue", try metadataText(try rules.defaultValue()) ?? "")
        m.add(key + "totalDocs", String(docs))
        m.add(key + "cardinality", String(max(dictionary.count, 1)))
        m.add(key + "hasDictionary", raw ? "false" : "true")
        m.add(key + "forwardIndexEncoding", raw ? "RAW" : "DICTIONARY")
        m.add(key + "isSorted", isSorted ? "true" : "false")
        if kind == .bytes {
            let lengths = (0..<dictionary.count).map(dictionary.length)
            m.add(key + "lengthOfShortestElement", String(lengths.min() ?? 0))
            m.add(key + "lengthOfLongestElement", String(lengths.max() ?? 0))
            if spec.dataType == .string || spec.dataType == .json {
                m.add(key + "isAscii", dictionary.isASCII ? "true" : "false")
            }
            if !spec.singleValue {
                var longestRow = 0
                for row in 0..<(rowStarts.count - 1) {
                    var bytes = 0
                    for index in Int(rowStarts[row])..<Int(rowStarts[row + 1]) { bytes += dictionary.length(Int(entries[index])) }
                    longestRow = max(longestRow, bytes)
                }
                m.add(key + "maxRowLengthInBytes", String(longestRow))
            }
        }
        m.add(key + "lengthOfEachEntry", String(raw ? 0 : width))
        m.add(key + "bitsPerElement", String(bits))
        var longestRow = 0
        if !spec.singleValue {
            for row in 0..<(rowStarts.count - 1) { longestRow = max(longestRow, Int(rowStarts[row + 1] - rowStarts[row])) }
        }
        m.add(key + "maxNumberOfMultiValues", String(longestRow))
        m.add(key + "totalNumberOfEntries", String(spec.singleValue ? docs : entries.count))
        if dictionary.count > 0 {
            let minText = try metadataText(dictionary.cell(0))
            let maxText = try metadataText(dictionary.cell(dictionary.count - 1))
            if let minText { m.add(key + "minValue", minText) }
            if let maxText { m.add(key + "maxValue", maxText) }
            if minText == nil, maxText == nil { m.add(key + "minMaxValueInvalid", "true") }
        }
        if nulls.isEmpty { m.add(key + "isNonNull", "true") }
        if let maxLength = spec.maxLength, maxLength != 512 { m.add(key + "schemaMaxLength", String(maxLength)) }
    }

    /// A value's text in metadata (nil when Pinot leaves it out: surrogates, or over 512 units).
    private func metadataText(_ cell: StoredCell) throws(SegmentError) -> String? {
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
            return MetadataWriter.guardString(string)
        }
    }
}

/// A column's distinct values in dictionary order: global id → value.
struct SortedDistinct {
    let kind: ColumnStore.Kind
    let type: PinotDataType
    let numbers: NumberTable
    let strings: BytesTable
    /// Global id → local id; nil when local ids are already in order.
    let sorted: [UInt32]?

    init(store: borrowing ColumnStore, sorted: [UInt32]?) {
        kind = store.kind
        type = store.spec.dataType
        numbers = store.numbers
        strings = store.strings
        self.sorted = sorted
    }

    var count: Int { kind == .bytes ? strings.count : numbers.count }

    @inline(__always) private func local(_ global: Int) -> Int { sorted.map { Int($0[global]) } ?? global }

    @inline(__always) func bits(_ global: Int) -> UInt64 { numbers.value(local(global)) }

    func length(_ global: Int) -> Int {
        kind == .bytes ? strings.length(local(global)) : (kind == .int32 || kind == .float32 ? 4 : 8)
    }

    func withBytes<R>(_ global: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try strings.withBytes(local(global), body)
    }

    func cell(_ global: Int) -> StoredCell {
        switch kind {
        case .int32: .int(Int32(truncatingIfNeeded: Int64(bitPattern: bits(global))))
        case .int64: .long(Int64(bitPattern: bits(global)))
        case .float32: .float(UInt32(truncatingIfNeeded: bits(global)))
        case .float64: .double(bits(global))
        case .bytes: .bytes(strings.bytes(local(global)))
        }
    }

    var isASCII: Bool { strings.withStorage { data, _ in !data.contains { $0 >= 0x80 } } }

    /// A numeric dictionary (spec §5.1, big-endian values in order), generated when written.
    func numberBuffer() -> IndexBuffer {
        let numbers = self.numbers, sorted = self.sorted
        let width = kind == .int32 || kind == .float32 ? 4 : 8
        return .bigEndian(count: count, width: width) { global in numbers.value(sorted.map { Int($0[global]) } ?? global) }
    }

    private func checkDictionarySize(_ size: (partialValue: Int, overflow: Bool), detail: String) throws(SegmentError) {
        guard size.overflow || size.partialValue > Int(Int32.max) else { return }
        throw SegmentError(.invalidValue, "the dictionary would take more than 2 GiB (\(detail)), past what its int offsets address: store the column raw (noDictionaryColumns) or seal smaller segments")
    }

    /// The dictionary buffer (spec §5.1): fixed-width big-endian numbers; NUL-padded
    /// fixed-width STRING/JSON; BYTES and BIG_DECIMAL fixed-width when all values have one
    /// length, else the var-length layout. Returns the bytes and the entry width.
    /// - Throws: `.invalidValue` when the dictionary would pass the 2 GiB its int offsets address.
    func serialized() throws(SegmentError) -> (bytes: [UInt8], width: Int) {
        switch kind {
        case .int32, .float32, .int64, .float64:
            let size = kind == .int32 || kind == .float32 ? 4 : 8
            var out = [UInt8](repeating: 0, count: count * size)
            out.withUnsafeMutableBytes { dst in
                numbers.withValues { values in
                    for g in 0..<count {
                        let value = values[local(g)]
                        if size == 4 { dst.storeBytes(of: UInt32(truncatingIfNeeded: value).bigEndian, toByteOffset: g * 4, as: UInt32.self) }
                        else { dst.storeBytes(of: value.bigEndian, toByteOffset: g * 8, as: UInt64.self) }
                    }
                }
            }
            return (out, 0)
        case .bytes:
            let width = strings.longest
            let uniform = (0..<count).allSatisfy { strings.length($0) == width }
            if type == .string || type == .json || uniform {
                try checkDictionarySize(count.multipliedReportingOverflow(by: width), detail: "\(count) values padded to the longest, \(width) bytes")
                var out = [UInt8](repeating: 0, count: count * width)
                out.withUnsafeMutableBytes { dst in
                    strings.withStorage { src, offsets in
                        for g in 0..<count {
                            let id = local(g)
                            let start = offsets[id], length = offsets[id + 1] - start
                            if length > 0 { (dst.baseAddress! + g * width).copyMemory(from: src.baseAddress! + start, byteCount: length) }
                        }
                    }
                }
                return (out, width)
            }
            try checkDictionarySize((16 + 4 * (count + 1) + strings.totalBytes, false), detail: "\(count) values of \(strings.totalBytes) bytes")
            var writer = ByteWriter(capacity: 16 + 4 * (count + 1) + strings.totalBytes)
            writer.bytes += Array(".vl;".utf8)
            writer.int32(1)
            writer.int32(Int32(count))
            writer.int32(16)
            var offset = 16 + 4 * (count + 1)
            for g in 0..<count {
                writer.int32(Int32(truncatingIfNeeded: offset))
                offset += length(g)
            }
            writer.int32(Int32(truncatingIfNeeded: offset))
            for g in 0..<count { withBytes(g) { writer.bytes.append(contentsOf: $0) } }
            return (writer.bytes, width)
        }
    }
}

/// Java's sort orders for dictionary entries (spec §5.1), value by value (for tests and BIG_DECIMAL).
struct CellOrder {
    let type: PinotDataType

    /// Java's `String.compareTo` on UTF-8 bytes (see ``UTF16Order``).
    static func utf16Less(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        let count = min(a.count, b.count)
        var i = 0
        while i < count && a[a.startIndex + i] == b[b.startIndex + i] { i += 1 }
        guard i < count else { return a.count < b.count }
        return UTF16Order.table[Int(a[a.startIndex + i])] < UTF16Order.table[Int(b[b.startIndex + i])]
    }

    /// `BigDecimal.compareTo`: a×10^-sa against b×10^-sb, aligning scales (through Double when
    /// aligning overflows).
    static func decimalLess(_ x: (Int128, Int), _ y: (Int128, Int)) -> Bool {
        let (a, sa) = x, (b, sb) = y
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
