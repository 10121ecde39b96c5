import Codecs
import Columnar
import Foundation

/// A built segment: its name and the files of its directory (`v3/…`).
public struct BuiltSegment: Sendable {
    public var name: String
    public var files: [String: [UInt8]]

    /// The push tarball (spec §10): `<name>/`, `<name>/v3/`, then the files; gzip at a low
    /// level (every Pinot reads it) or zstd (Pinot 1.3 and later).
    public func tarball(zstd: Bool = false) throws(SegmentError) -> [UInt8] {
        var entries = [TarArchive.Entry(path: name + "/", isDirectory: true, contents: []),
                       TarArchive.Entry(path: name + "/v3/", isDirectory: true, contents: [])]
        for path in files.keys.sorted() { entries.append(TarArchive.Entry(path: name + "/" + path, isDirectory: false, contents: files[path]!)) }
        let tar = TarArchive(entries: entries).serialized()
        do {
            return try tar.withUnsafeBytes { (raw) throws(CodecError) in try Compressor.compress(zstd ? .zstd : .gzip, raw, level: 1) }
        } catch {
            throw SegmentError(.io, "compressing the tarball failed: \(error)", segment: name)
        }
    }
}

extension BuiltSegment {
    /// The metadata-only bundle of a METADATA push (spec §10): a gzip tarball whose first entry
    /// is a directory holding only `metadata.properties` and `creation.meta`.
    public func metadataBundle() throws(SegmentError) -> [UInt8] {
        let entries = [
            TarArchive.Entry(path: name + "/", isDirectory: true, contents: []),
            TarArchive.Entry(path: name + "/creation.meta", isDirectory: false, contents: files["v3/creation.meta"] ?? []),
            TarArchive.Entry(path: name + "/metadata.properties", isDirectory: false, contents: files["v3/metadata.properties"] ?? []),
        ]
        do {
            return try TarArchive(entries: entries).serialized().withUnsafeBytes { (raw) throws(CodecError) in
                try Compressor.compress(.gzip, raw, level: 1)
            }
        } catch {
            throw SegmentError(.io, "compressing the metadata bundle failed: \(error)", segment: name)
        }
    }
}

/// Builds one Pinot segment (v3 layout) from rows or record batches, following the spec and
/// Pinot's own value rules: per column a sorted dictionary (Java order) and a sorted, fixed-bit
/// or multi-value forward index, or a raw forward index; null value vectors; optional inverted
/// indexes; `metadata.properties`, `index_map`, `columns.psf` and `creation.meta`.
///
/// Memory: every column's stored values are held until `build` — single-value columns compactly
/// (bit patterns in one array, bytes in one buffer), multi-value columns one array per row.
public final class SegmentBuilder {
    public let schema: PinotSchema
    public let table: TableConfig
    private var columns: [ColumnAccumulator]
    private var docs = 0

    public init(schema: PinotSchema, table: TableConfig) {
        self.schema = schema
        self.table = table
        columns = schema.fields.map { ColumnAccumulator(spec: $0) }
    }

    /// Adds one row; a missing key is null.
    public func add(row: [String: Value]) throws(SegmentError) {
        for column in columns { try column.append(row[column.spec.name] ?? .null) }
        docs += 1
    }

    /// Adds every row of a batch, matching columns by name; schema columns the batch lacks are
    /// null. Dictionary-encoded columns (from Parquet dictionary pages) take the fast path: their
    /// dictionary entries go through the value rules once and the segment dictionary is merged
    /// from them (see ``ColumnAccumulator``).
    /// - Parameter dictionaryFastPath: false takes every column value by value (for comparison).
    public func add(batch: RecordBatch, dictionaryFastPath: Bool = true) throws(SegmentError) {
        for column in columns {
            guard let index = batch.fields.firstIndex(where: { $0.name == column.spec.name }) else {
                for _ in 0..<batch.rowCount { try column.append(.null) }
                continue
            }
            let source = batch.columns[index]
            if !dictionaryFastPath {
                for row in 0..<batch.rowCount { try column.append(source.value(at: row)) }
            } else if case .dictionary(let values, let indices) = source.storage {
                try column.append(dictionary: Column(type: source.type, storage: values), indices: indices, validity: source.validity)
            } else if case .byteArrays(let arrays) = source.storage, column.spec.singleValue,
                      (column.spec.dataType == .string && source.type == .string) || (column.spec.dataType == .bytes && source.type == .bytes) {
                try column.append(byteArrays: arrays, validity: source.validity)
            } else {
                for row in 0..<batch.rowCount { try column.append(source.value(at: row)) }
            }
        }
        docs += batch.rowCount
    }

    /// Builds the segment.
    /// - Parameters:
    ///   - name: the segment name; by default `<table>_<minTime>_<maxTime>_0`, or `<table>_0`.
    ///   - creationTime: milliseconds since the epoch, recorded in `creation.meta`.
    /// - Throws: `.invalidValue` for time values outside 1971–2071 (the controller refuses them).
    public func build(name: String? = nil, creationTime: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws(SegmentError) -> BuiltSegment {
        var timeRange: (Int64, Int64)?
        if let timeColumn = table.timeColumn, let column = columns.first(where: { $0.spec.name == timeColumn }) {
            timeRange = try column.timeRange(docs: docs)
            if let (start, end) = timeRange {
                let millis = Self.toMillis(column.spec)
                guard start * millis >= 31_536_000_000, end * millis < 3_187_296_000_000 else {
                    throw SegmentError(.invalidValue, "time values \(start)…\(end) lie outside 1971–2071; a controller refuses such segments", column: timeColumn)
                }
            }
        }
        let segmentName = name ?? ([table.tableName] + (timeRange.map { ["\($0.0)", "\($0.1)"] } ?? []) + ["0"]).joined(separator: "_")
        var metadata = MetadataWriter()
        metadata.add("segment.padding.character", "\u{0}")
        metadata.add("segment.name", segmentName)
        metadata.add("segment.table.name", table.tableName)
        for (key, role) in [("segment.dimension.column.names", PinotFieldSpec.Role.dimension),
                            ("segment.metric.column.names", .metric), ("segment.datetime.column.names", .dateTime)] {
            metadata.addList(key, schema.fields.filter { $0.role == role }.map(\.name).sorted())
        }
        if let timeColumn = table.timeColumn, let (start, end) = timeRange {
            metadata.add("segment.time.column.name", timeColumn)
            metadata.add("segment.start.time", String(start))
            metadata.add("segment.end.time", String(end))
            metadata.add("segment.time.unit", Self.timeUnit(schema.field(timeColumn)))
        }
        metadata.add("segment.total.docs", String(docs))
        var psf: [UInt8] = []
        var indexMap: [String] = []
        for column in columns.sorted(by: { $0.spec.name < $1.spec.name }) {
            let built = try column.build(docs: docs, table: table, metadata: &metadata)
            for (index, buffer) in built {
                indexMap.append("\(column.spec.name).\(index).startOffset = \(psf.count)")
                indexMap.append("\(column.spec.name).\(index).size = \(buffer.count + 8)")
                psf += SegmentFiles.magic + buffer
            }
        }
        metadata.add("segment.index.version", "v3")
        var files: [String: [UInt8]] = [
            "v3/metadata.properties": Array(metadata.text.utf8),
            "v3/index_map": Array((indexMap.joined(separator: "\n") + "\n").utf8),
            "v3/columns.psf": psf,
        ]
        let crc = SegmentReader.segmentCRC(files)
        var meta = ByteWriter()
        meta.int64(Int64(crc))
        meta.int64(creationTime)
        files["v3/creation.meta"] = meta.bytes
        return BuiltSegment(name: segmentName, files: files)
    }

    static func timeUnit(_ spec: PinotFieldSpec?) -> String {
        guard let format = spec?.format else { return "MILLISECONDS" }
        let parts = format.split(separator: ":")
        if spec?.dataType == .timestamp || parts.count < 2 { return "MILLISECONDS" }
        return String(parts[1])
    }

    static func toMillis(_ spec: PinotFieldSpec) -> Int64 {
        switch timeUnit(spec) {
        case "DAYS": 86_400_000
        case "HOURS": 3_600_000
        case "MINUTES": 60_000
        case "SECONDS": 1000
        case "MICROSECONDS", "NANOSECONDS": 0
        default: 1
        }
    }
}
