import Columnar

/// Reads one column of a segment into values, validating sizes as the Pinot reader does.
struct ColumnReader {
    let column: ColumnMetadata
    let files: SegmentFiles
    let totalDocs: Int
    let segment: String

    func fail(_ message: String) -> SegmentError { SegmentError(.corrupt, message, column: column.name, segment: segment) }

    /// One value (or list, for multi-value columns) per document; nulls from the null vector.
    func values() throws(SegmentError) -> [Value] {
        guard let forward = files.buffer(column.name, "forward_index") else { throw fail("no forward_index") }
        var values: [Value]
        if column.hasDictionary {
            guard let dictionaryBytes = files.buffer(column.name, "dictionary") else { throw fail("no dictionary") }
            let limit = max(totalDocs, column.singleValue ? 0 : column.totalNumberOfEntries, 1)
            guard column.cardinality <= limit else { throw fail("cardinality \(column.cardinality) exceeds the \(limit) values the segment holds") }
            let dictionary = try readDictionary(dictionaryBytes)
            let (ids, rowStarts) = try dictionaryIds(forward)
            func entry(_ id: Int) throws(SegmentError) -> Value {
                guard id >= 0, id < dictionary.count else { throw fail("dictionary id \(id) out of range (\(dictionary.count) entries)") }
                return dictionary[id]
            }
            if let rowStarts {
                values = try (0..<totalDocs).map { (doc) throws(SegmentError) -> Value in
                    .list(try ids[rowStarts[doc]..<rowStarts[doc + 1]].map { (id) throws(SegmentError) in try entry(id) })
                }
            } else {
                values = try ids.map { (id) throws(SegmentError) in try entry(id) }
            }
        } else {
            values = try RawForwardIndex(column: column, totalDocs: totalDocs, context: "\(column.name) forward_index").read(forward)
        }
        if let nulls = files.buffer(column.name, "nullvalue_vector") {
            for doc in try RoaringBitmap.decode(nulls) {
                guard Int(doc) < values.count else { throw fail("null vector marks doc \(doc) of \(values.count)") }
                values[Int(doc)] = .null
            }
        }
        return values
    }

    func readDictionary(_ bytes: ArraySlice<UInt8>) throws(SegmentError) -> [Value] {
        let reader = BigEndianReader(bytes: bytes, context: "\(column.name) dictionary")
        let count = column.cardinality
        if let width = StoredValue.fixedWidth(column.dataType) {
            guard bytes.count == count * width else { throw fail("dictionary of \(bytes.count) bytes for \(count) entries of \(width)") }
            return try (0..<count).map { (i) throws(SegmentError) in try StoredValue.decodeFixed(column.dataType, reader, at: i * width) }
        }
        if bytes.count >= 16, Array(bytes.prefix(4)) == Array(".vl;".utf8), try reader.int32(4) == 1 {
            let n = Int(try reader.int32(8))
            let tableStart = Int(try reader.int32(12))
            guard n == count else { throw fail("var-length dictionary holds \(n) values, cardinality is \(count)") }
            return try (0..<n).map { (i) throws(SegmentError) in
                let start = Int(try reader.int32(tableStart + 4 * i))
                let end = Int(try reader.int32(tableStart + 4 * i + 4))
                guard start <= end else { throw fail("var-length dictionary offsets decrease at \(i)") }
                return try StoredValue.decodeVariable(column.dataType, try reader.slice(start, end - start))
            }
        }
        let width = column.lengthOfLongestElement ?? column.lengthOfEachEntry
        guard bytes.count == count * width else { throw fail("dictionary of \(bytes.count) bytes for \(count) entries of width \(width)") }
        return try (0..<count).map { (i) throws(SegmentError) in
            var entry = try reader.slice(i * width, width)
            if column.dataType == .string || column.dataType == .json {
                entry = entry.prefix(while: { $0 != 0 })
            }
            return try StoredValue.decodeVariable(column.dataType, entry)
        }
    }

    /// The dictionary ids of every document in document order, and for multi-value columns
    /// where each document's ids start (`totalDocs + 1` entries).
    func dictionaryIds(_ bytes: ArraySlice<UInt8>) throws(SegmentError) -> (ids: [Int], rowStarts: [Int]?) {
        let reader = BigEndianReader(bytes: bytes, context: "\(column.name) forward_index")
        let bits = column.bitsPerElement
        if column.singleValue && column.isSorted {
            guard bytes.count == 8 * column.cardinality else { throw fail("sorted forward index of \(bytes.count) bytes for cardinality \(column.cardinality)") }
            var next = 0
            for id in 0..<column.cardinality {
                let first = Int(try reader.int32(8 * id))
                let last = Int(try reader.int32(8 * id + 4))
                guard first == next, first <= last, last < totalDocs else {
                    throw fail("sorted range \(first)...\(last) of id \(id) does not continue at doc \(next) within \(totalDocs) docs")
                }
                next = last + 1
            }
            guard next == totalDocs else { throw fail("sorted ranges cover \(next) of \(totalDocs) docs") }
            var ids: [Int] = []
            ids.reserveCapacity(totalDocs)
            for id in 0..<column.cardinality {
                let first = Int(try reader.int32(8 * id))
                let last = Int(try reader.int32(8 * id + 4))
                ids.append(contentsOf: repeatElement(id, count: last - first + 1))
            }
            return (ids, nil)
        }
        guard bits > 0, bits <= 32 else { throw fail("bitsPerElement \(bits) is invalid") }
        if column.singleValue {
            guard bytes.count == (totalDocs * bits + 7) / 8 else { throw fail("bit-packed forward index of \(bytes.count) bytes for \(totalDocs) × \(bits) bits") }
            return (try (0..<totalDocs).map { (doc) throws(SegmentError) in try reader.bits(doc * bits, bits) }, nil)
        }
        let total = column.totalNumberOfEntries
        guard totalDocs > 0 else { return ([], [0]) }
        let average = max(total / totalDocs, 1)
        let docsPerChunk = (2048 + average - 1) / average
        let chunks = (totalDocs + docsPerChunk - 1) / docsPerChunk
        let bitmapStart = 4 * chunks
        let valuesStart = bitmapStart + (total + 7) / 8
        guard bytes.count == valuesStart + (total * bits + 7) / 8 else { throw fail("multi-value forward index of \(bytes.count) bytes does not fit \(total) entries") }
        var ids: [Int] = []
        var rowStarts: [Int] = []
        ids.reserveCapacity(total)
        for i in 0..<total {
            if try reader.bits(bitmapStart * 8 + i, 1) == 1 || i == 0 {
                guard rowStarts.count < totalDocs else { throw fail("multi-value forward index holds more than \(totalDocs) rows") }
                rowStarts.append(i)
            }
            ids.append(try reader.bits(valuesStart * 8 + i * bits, bits))
        }
        guard rowStarts.count == totalDocs else { throw fail("multi-value forward index holds \(rowStarts.count) rows, the segment \(totalDocs)") }
        rowStarts.append(total)
        return (ids, rowStarts)
    }
}
