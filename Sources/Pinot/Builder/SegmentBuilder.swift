import Columnar
import Foundation

/// Builds one Pinot segment (v3 layout) from record batches or rows, following the spec and
/// Pinot's own value rules: per column a sorted dictionary (Java order) and a sorted, fixed-bit
/// or multi-value forward index, or a raw forward index; null value vectors; optional inverted
/// indexes; `metadata.properties`, `index_map`, `columns.psf` and `creation.meta`.
///
/// Memory: per column, one 4-byte id per value plus the distinct values (see ``ColumnStore``);
/// ``rowCount``, ``estimatedBytes`` and ``largestColumnBytes`` let a caller seal by rows or bytes.
/// Sealing (``beginSeal(name:creationTime:)``) hands out the columns to be built independently
/// (concurrently, by the caller) and assembles the segment into a ``SegmentSink`` piece by piece;
/// ``build(name:creationTime:)`` does it in memory in one go.
///
/// Not thread-safe: one owner appends, then seals once.
public final class SegmentBuilder: @unchecked Sendable {
    public let schema: PinotSchema
    public let table: TableConfig
    /// One box per column, so that columns can be appended to from several threads at once.
    private var boxes: [StoreBox]
    public private(set) var rowCount = 0

    private final class StoreBox: @unchecked Sendable {
        var store: ColumnStore
        init(_ store: ColumnStore) { self.store = store }
    }


    /// - Throws: `.invalidSchema` when the table config names a time column, raw or inverted
    ///   columns the schema lacks, or the time column is not a date-time field.
    public init(schema: PinotSchema, table: TableConfig) throws(SegmentError) {
        try table.validate(against: schema)
        self.schema = schema
        self.table = table
        boxes = schema.fields.map { StoreBox(ColumnStore(spec: $0)) }
    }

    /// Memory held by the column stores.
    public var estimatedBytes: Int { boxes.reduce(0) { $0 + $1.store.estimatedBytes } }

    /// The largest amount of value bytes one column would write (its raw forward index or its
    /// dictionary): a caller seals before it passes 2 GiB.
    public var largestColumnBytes: Int { boxes.map(\.store.columnBytes).max() ?? 0 }

    /// Reserves storage for `rows` rows in all (a hint; more may come): memory grows once to
    /// the size it needs instead of by steps with slack.
    public func expect(rows: Int) {
        for box in boxes { box.store.expect(rows: rows) }
    }

    /// The schema's columns, in schema order.
    public var columnCount: Int { boxes.count }

    /// Adds one row; a missing key is null.
    public func add(row: [String: Value]) throws(SegmentError) {
        let before = rowCount
        do {
            for box in boxes { try box.store.append(row[box.store.spec.name] ?? .null) }
        } catch {
            truncate(toRows: before)
            throw error
        }
        rowCount += 1
    }

    /// For each schema column, the index of the batch column that feeds it (nil: none, null).
    public func sources(in batch: RecordBatch) -> [Int?] {
        boxes.map { box in batch.fields.firstIndex { $0.name == box.store.spec.name } }
    }

    /// Appends rows `rows` of `batch` to schema column `index` alone, from batch column `source`
    /// (``sources(in:)``). Safe to call from several threads at once for different columns;
    /// once every column has the rows, ``commit(rows:)`` counts them. On a failure the caller
    /// takes the batch back with ``truncate(toRows:)``.
    public func append(column index: Int, from batch: RecordBatch, source: Int?, rows: Range<Int>) throws(SegmentError) {
        let box = boxes[index]
        guard let source else {
            for _ in rows { try box.store.append(.null) }
            return
        }
        try box.store.append(column: batch.columns[source], rows: rows)
    }

    /// Counts `rows` rows appended to every column with ``append(column:from:source:rows:)``.
    public func commit(rows: Int) { rowCount += rows }

    /// Adds rows `rows` (all when nil) of a batch, matching columns by name; schema columns the
    /// batch lacks are null. Vectors go into the stores a vector at a time; dictionary-encoded
    /// columns (Parquet dictionary pages) put their dictionary through the value rules once.
    /// On failure no row of the batch stays added.
    public func add(batch: RecordBatch, rows: Range<Int>? = nil) throws(SegmentError) {
        let rows = rows ?? 0..<batch.rowCount
        guard rows.lowerBound >= 0, rows.upperBound <= batch.rowCount else {
            throw SegmentError(.invalidValue, "rows \(rows) lie outside the batch's \(batch.rowCount) rows")
        }
        guard rowCount + rows.count < Int(Int32.max) else {
            throw SegmentError(.invalidValue, "a segment holds fewer than 2^31 rows")
        }
        let before = rowCount
        do {
            let sources = sources(in: batch)
            for (index, box) in boxes.enumerated() {
                guard let position = sources[index] else {
                    for _ in rows { try box.store.append(.null) }
                    continue
                }
                try box.store.append(column: batch.columns[position], rows: rows)
            }
        } catch {
            truncate(toRows: before)
            throw error
        }
        rowCount += rows.count
    }

    /// Takes back every row from `count` on: what a caller does when a file fails part-way.
    public func truncate(toRows count: Int) {
        guard count >= 0 else { return }
        for box in boxes { box.store.truncate(docs: count) }
        rowCount = min(rowCount, count)
    }

    /// Starts sealing: checks the time column (1971–2071, no nulls) and the name (spec §9), and
    /// hands the column stores to the returned ``SegmentSeal``. The builder is empty afterwards.
    /// - Parameters:
    ///   - name: the segment name; by default Pinot's `<table>_<minTime>_<maxTime>_0`, or `<table>_0`.
    ///   - creationTime: milliseconds since the epoch, recorded in `creation.meta`.
    /// - Throws: `.invalidValue` for time values outside 1971–2071 or null time values (the
    ///   controller refuses such segments), `.invalidSchema` for a name Pinot refuses.
    public func beginSeal(name: String? = nil, creationTime: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws(SegmentError) -> SegmentSeal {
        guard rowCount > 0 else {
            throw SegmentError(.invalidValue, "no rows were added: a segment needs at least one row", segment: name)
        }
        var timeRange: (Int64, Int64)?
        if let timeColumn = table.timeColumn, let box = boxes.first(where: { $0.store.spec.name == timeColumn }) {
            box.store.compact()
            timeRange = try Self.checkTime(box.store)
        }
        let segmentName = name ?? ([table.tableName] + (timeRange.map { ["\($0.0)", "\($0.1)"] } ?? []) + ["0"]).joined(separator: "_")
        try SegmentName.validate(segmentName)
        var metadata = MetadataWriter()
        metadata.add("segment.padding.character", "\u{0}")
        metadata.add("segment.name", segmentName)
        metadata.add("segment.table.name", table.tableName)
        for (key, role) in [("segment.dimension.column.names", PinotFieldSpec.Role.dimension),
                            ("segment.metric.column.names", .metric), ("segment.datetime.column.names", .dateTime)] {
            metadata.addList(key, schema.fields.filter { $0.role == role }.map(\.name).sorted())
        }
        if let timeColumn = table.timeColumn, let (start, end) = timeRange, let spec = schema.field(timeColumn) {
            metadata.add("segment.time.column.name", timeColumn)
            let format = spec.format.flatMap(TimeFormat.init)
            if spec.dataType != .timestamp, case .epoch(_, let size)? = format?.kind, size != 1,
               let startMillis = format?.millis(start), let endMillis = format?.millis(end) {
                // Readers take the interval as unit.toMillis(value), without the size: for
                // `5:MINUTES:EPOCH` the range is written in milliseconds.
                metadata.add("segment.start.time", String(startMillis))
                metadata.add("segment.end.time", String(endMillis))
                metadata.add("segment.time.unit", "MILLISECONDS")
            } else {
                metadata.add("segment.start.time", String(start))
                metadata.add("segment.end.time", String(end))
                metadata.add("segment.time.unit", spec.dataType == .timestamp ? "MILLISECONDS" : format?.unitName ?? "MILLISECONDS")
            }
        }
        metadata.add("segment.total.docs", String(rowCount))
        let ordered = boxes.map(\.store).sorted { $0.spec.name < $1.spec.name }
        boxes = schema.fields.map { StoreBox(ColumnStore(spec: $0)) }
        let seal = SegmentSeal(name: segmentName, docs: rowCount, table: table, stores: ordered, header: metadata, creationTime: creationTime)
        rowCount = 0
        return seal
    }

    /// The time column's smallest and largest stored values (nil without a time column or rows).
    /// - Throws: `.invalidValue` for null time values or values outside 1971–2071.
    public func timeRange() throws(SegmentError) -> (Int64, Int64)? {
        guard let timeColumn = table.timeColumn, let box = boxes.first(where: { $0.store.spec.name == timeColumn }) else { return nil }
        box.store.compact()
        return try Self.checkTime(box.store)
    }

    /// A row whose time value a controller refuses: null, or outside 1971–2071.
    public struct TimeViolation: Sendable, Equatable {
        /// The row in the open segment.
        public var row: Int
        /// The stored value; nil for a null.
        public var value: Int64?
    }

    /// The rows from `start` on whose time value a controller refuses (what ``beginSeal(name:creationTime:)``
    /// would throw for), in row order: so a caller can name the row, or take it back out.
    public func timeViolations(from start: Int) -> [TimeViolation] {
        guard let timeColumn = table.timeColumn, let box = boxes.first(where: { $0.store.spec.name == timeColumn }) else { return [] }
        let store = box.store
        guard store.kind == .int32 || store.kind == .int64, start < store.docs else { return [] }
        let nulls = Set(store.nulls.reversed().prefix { Int($0) >= start })
        let format = Self.timeFormat(of: store)
        let low = format.lowestValue(fromMillis: 31_536_000_000), high = format.lowestValue(fromMillis: 3_187_296_000_000)
        var violations: [TimeViolation] = []
        for row in max(0, start)..<store.docs {
            if nulls.contains(UInt32(row)) {
                violations.append(TimeViolation(row: row, value: nil))
                continue
            }
            let value = Int64(bitPattern: store.numbers.value(Int(store.entries[row])))
            if let low, let high, value < low || value >= high { violations.append(TimeViolation(row: row, value: value)) }
        }
        return violations
    }

    private static func timeFormat(of store: ColumnStore) -> TimeFormat {
        store.spec.dataType == .timestamp ? TimeFormat("TIMESTAMP")! : store.spec.format.flatMap(TimeFormat.init) ?? TimeFormat("1:MILLISECONDS:EPOCH")!
    }

    /// Builds the whole segment in memory (tests, small segments).
    public func build(name: String? = nil, creationTime: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws(SegmentError) -> BuiltSegment {
        let seal = try beginSeal(name: name, creationTime: creationTime)
        var columns: [UInt8] = []
        for index in 0..<seal.columnCount {
            try seal.write(try seal.buildColumn(index)) { (raw) throws(SegmentError) in columns.append(contentsOf: raw) }
        }
        let summary = seal.finish()
        return BuiltSegment(name: summary.name, files: [
            "v3/columns.psf": columns, "v3/index_map": summary.indexMap,
            "v3/metadata.properties": summary.metadataProperties, "v3/creation.meta": summary.creationMeta,
        ])
    }

    /// The time column's stored range; refuses nulls and values outside 1971–2071.
    private static func checkTime(_ store: ColumnStore) throws(SegmentError) -> (Int64, Int64)? {
        guard store.kind == .int32 || store.kind == .int64, store.docs > 0 else { return nil }
        if let first = store.nulls.first {
            throw SegmentError(.invalidValue, "the time column has \(store.nulls.count) null values (the first in row \(first)); every row needs a time value", column: store.spec.name)
        }
        var low = Int64.max, high = Int64.min
        store.numbers.withValues { values in
            for bits in values {
                let value = Int64(bitPattern: bits)
                low = min(low, value)
                high = max(high, value)
            }
        }
        let format = timeFormat(of: store)
        if let start = format.millis(low), let end = format.millis(high) {
            guard start >= 31_536_000_000, end < 3_187_296_000_000 else {
                throw SegmentError(.invalidValue,
                    "time values \(low)…\(high) (\(store.spec.format ?? "milliseconds")) lie outside 1971–2071; a controller refuses such segments",
                    column: store.spec.name)
            }
        }
        return (low, high)
    }
}

/// Segment names as Pinot accepts them (spec §9).
public enum SegmentName {
    /// - Throws: `.invalidSchema` for an empty name, one with `\ / : * ? " < > |`, a control
    ///   character, a leading dot, or more than 512 bytes.
    public static func validate(_ name: String) throws(SegmentError) {
        guard !name.isEmpty, name.utf8.count <= 512, !name.hasPrefix("."),
              !name.unicodeScalars.contains(where: { "\\/:*?\"<>|".unicodeScalars.contains($0) || $0.value < 0x20 || $0.value == 0x7F }) else {
            throw SegmentError(.invalidSchema, "\"\(name)\" is not a valid segment name: names are not empty, do not start with a dot and hold none of \\ / : * ? \" < > | or control characters")
        }
    }
}
