import Columnar

extension ColumnStore {
    /// Writes each slot's id among the distinct values into `out` (one per row of `rows`), or
    /// ``null`` when the slot is null or Pinot's rules make it null (NaN); slots `include` marks
    /// false are not looked at (``null``): entries of a Parquet dictionary no row refers to.
    /// Typed loops run over raw memory after the tables made room for the whole vector.
    mutating func fill(_ column: Column, rows: Range<Int>, into out: UnsafeMutableBufferPointer<UInt32>, include: [Bool]? = nil) throws(SegmentError) {
        let n = rows.count
        let start = rows.lowerBound
        let validity = column.validity
        let type = spec.dataType
        let plain = validity == nil && include == nil
        @inline(__always) func valid(_ row: Int) -> Bool { (include?[row] ?? true) && (validity?.isValid(row) ?? true) }
        let table = numbers
        switch column.storage {
        case .dictionary(let values, let indices):
            let entries = values.count
            var referenced = [Bool](repeating: false, count: entries)
            try indices.withUnsafeBufferPointer { (indices) throws(SegmentError) in
                try referenced.withUnsafeMutableBufferPointer { (referenced) throws(SegmentError) in
                    for row in rows where plain || valid(row) {
                        let index = Int(indices[row])
                        guard index >= 0, index < entries else {
                            throw SegmentError(.invalidValue, "dictionary index \(index) at row \(row) is outside the \(entries) entries", column: spec.name)
                        }
                        referenced[index] = true
                    }
                }
            }
            var dictionary = [UInt32](repeating: 0, count: values.count)
            try dictionary.withUnsafeMutableBufferPointer { (ids) throws(SegmentError) in
                try fill(Column(type: column.type, storage: values), rows: 0..<values.count, into: ids, include: referenced)
            }
            dictionary.withUnsafeBufferPointer { dictionary in
                indices.withUnsafeBufferPointer { indices in
                    if plain {
                        for k in 0..<n { out[k] = dictionary[Int(indices[start + k])] }
                    } else {
                        for k in 0..<n { out[k] = valid(start + k) ? dictionary[Int(indices[start + k])] : Self.null }
                    }
                }
            }
        case .int32(let values) where type == .int || ((type == .long || type == .timestamp) && !column.type.isTimestamp):
            values.withUnsafeBufferPointer { v in
                if plain {
                    table.ids(count: n, into: out) { k in UInt64(bitPattern: Int64(v[start + k])) }
                } else {
                    table.ids(count: n, into: out) { k in valid(start + k) ? UInt64(bitPattern: Int64(v[start + k])) : nil }
                }
            }
        case .int64(let values) where column.type.isTimestamp && (type == .long || type == .timestamp || (type == .int && timestampFormat != nil)):
            let unit = column.type.timestampUnit ?? .milliseconds
            if let format = timestampFormat, type == .int || !format.counts(in: unit) {
                try fillConverted(values, unit: unit, format: format, rows: rows, into: out, valid: valid)
            } else if timestampFormat != nil || unit == .milliseconds {
                // Already in the field's unit.
                fillInt64(values, rows: rows, into: out, plain: plain, valid: valid)
            } else {
                // Pinot's TIMESTAMP (and a LONG without a format) holds milliseconds.
                values.withUnsafeBufferPointer { v in
                    table.ids(count: n, into: out) { k in plain || valid(start + k) ? UInt64(bitPattern: unit.millis(v[start + k])) : nil }
                }
            }
        case .int64(let values) where type == .long || type == .timestamp:
            fillInt64(values, rows: rows, into: out, plain: plain, valid: valid)
        case .boolean(let values) where type == .boolean || type == .int:
            for k in 0..<n { out[k] = valid(start + k) ? table.id(of: values[start + k] ? 1 : 0) : Self.null }
        case .float32(let values) where type == .float:
            values.withUnsafeBufferPointer { v in
                table.ids(count: n, into: out) { k in
                    let value = v[start + k]
                    return !value.isNaN && (plain || valid(start + k)) ? UInt64((value == 0 ? 0 : value).bitPattern) : nil
                }
            }
        case .float32(let values) where type == .double:
            values.withUnsafeBufferPointer { v in
                table.ids(count: n, into: out) { k in
                    let value = Double(v[start + k])
                    return !value.isNaN && (plain || valid(start + k)) ? (value == 0 ? 0 : value).bitPattern : nil
                }
            }
        case .float64(let values) where type == .double:
            values.withUnsafeBufferPointer { v in
                table.ids(count: n, into: out) { k in
                    let value = v[start + k]
                    return !value.isNaN && (plain || valid(start + k)) ? (value == 0 ? 0 : value).bitPattern : nil
                }
            }
        case .byteArrays(let arrays) where (type == .string && column.type == .string) || (type == .bytes && column.type == .bytes):
            let limit = type == .string ? rules.maxLength : Int.max
            let strings = self.strings
            var long: [Int] = []
            arrays.data.withUnsafeBytes { data in
                arrays.offsets.withUnsafeBufferPointer { offsets in
                    strings.ids(count: n, data: data, out: out) { k in
                        let row = start + k
                        guard plain || valid(row) else { return nil }
                        let from = Int(offsets[row]), to = Int(offsets[row + 1])
                        if to - from > limit {
                            long.append(k)
                            return nil
                        }
                        return from..<to
                    }
                }
            }
            // Strings longer than maxLength in bytes may be longer in UTF-16 units: cut them.
            for k in long {
                out[k] = try rules.stored(.string(arrays.string(at: start + k))).map { id(of: $0) } ?? Self.null
            }
        case .byteArrays(let arrays) where type == .json && column.type == .json:
            // Normalise each distinct text once: rows first map to their raw text's id.
            let raw = BytesTable()
            raw.reserve(values: n, bytes: arrays.data.count)
            var rawIds = [UInt32](repeating: Self.null, count: n)
            arrays.data.withUnsafeBytes { data in
                for k in 0..<n where valid(start + k) { rawIds[k] = raw.id(of: UnsafeRawBufferPointer(rebasing: data[arrays.range(start + k)])) }
            }
            var normalized: [UInt32] = []
            normalized.reserveCapacity(raw.count)
            for entry in 0..<raw.count {
                let text = String(decoding: raw.bytes(entry), as: UTF8.self)
                normalized.append(try rules.stored(.json(text)).map { id(of: $0) } ?? Self.null)
            }
            for k in 0..<n { out[k] = rawIds[k] == Self.null ? Self.null : normalized[Int(rawIds[k])] }
        default:
            for k in 0..<n {
                let row = start + k
                guard include?[row] ?? true else { out[k] = Self.null; continue }
                let value = column.value(at: row)
                if case .list(let items) = value, spec.singleValue {
                    guard items.count <= 1 else { throw SegmentError(.invalidValue, "a list of \(items.count) values for a single-value column", column: spec.name) }
                    out[k] = try items.first.flatMap { (item) throws(SegmentError) in try rules.stored(item) }.map { id(of: $0) } ?? Self.null
                    continue
                }
                out[k] = try rules.stored(value).map { id(of: $0) } ?? Self.null
            }
        }
    }

    @inline(__always)
    private func fillInt64(_ values: [Int64], rows: Range<Int>, into out: UnsafeMutableBufferPointer<UInt32>, plain: Bool, valid: (Int) -> Bool) {
        let start = rows.lowerBound
        values.withUnsafeBufferPointer { v in
            if plain {
                numbers.ids(count: rows.count, into: out) { k in UInt64(bitPattern: v[start + k]) }
            } else {
                numbers.ids(count: rows.count, into: out) { k in valid(start + k) ? UInt64(bitPattern: v[start + k]) : nil }
            }
        }
    }

    /// Timestamps in `unit` as values of a LONG/INT date-time field's `format`.
    private func fillConverted(_ values: [Int64], unit: TimestampUnit, format: TimeFormat, rows: Range<Int>,
                               into out: UnsafeMutableBufferPointer<UInt32>, valid: (Int) -> Bool) throws(SegmentError) {
        let type = spec.dataType
        for k in 0..<rows.count {
            let row = rows.lowerBound + k
            guard valid(row) else { out[k] = Self.null; continue }
            guard let converted = format.value(values[row], unit: unit), type == .long || Int32(exactly: converted) != nil else {
                throw SegmentError(.invalidValue, "timestamp \(values[row]) \(unit) does not fit the column's \(spec.format ?? "") \(type.rawValue) values", column: spec.name)
            }
            out[k] = numbers.id(of: UInt64(bitPattern: converted))
        }
    }
}
