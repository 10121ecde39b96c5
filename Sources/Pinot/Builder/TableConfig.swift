import Foundation

/// What a segment builder needs from a Pinot OFFLINE table config (spec §12): the table name,
/// the time column, which columns are raw, inverted indexes, and raw chunk compression.
public struct TableConfig: Sendable {
    public var tableName: String
    public var timeColumn: String?
    public var noDictionaryColumns: Set<String>
    public var invertedIndexColumns: Set<String>
    /// Raw chunk compression per column (Pinot's codes: 0 PASS_THROUGH, 1 SNAPPY, 2 ZSTANDARD, 3 LZ4).
    public var compression: [String: Int32]
    /// `indexes.forward.targetMaxChunkSize` per column, in bytes.
    public var targetChunkSize: [String: Int]
    /// Without a table config from the user: store a single-value STRING, BYTES, JSON or
    /// BIG_DECIMAL column raw when more than half of its values are distinct and they average 32
    /// bytes or more (a dictionary would then hold nearly every value once more, and ids would not
    /// pay for themselves). Off when a table config says which columns are raw, as in Pinot.
    public var dictionaryHeuristic: Bool = false

    public init(tableName: String, timeColumn: String? = nil, noDictionaryColumns: Set<String> = [],
                invertedIndexColumns: Set<String> = [], compression: [String: Int32] = [:], targetChunkSize: [String: Int] = [:]) {
        self.tableName = tableName
        self.timeColumn = timeColumn
        self.noDictionaryColumns = noDictionaryColumns
        self.invertedIndexColumns = invertedIndexColumns
        self.compression = compression
        self.targetChunkSize = targetChunkSize
    }

    /// Checks the config against the schema it builds segments for.
    /// - Throws: `.invalidSchema` naming the column: a time column that is absent or not a
    ///   date-time field, raw, inverted, codec or chunk-size settings for absent columns, an
    ///   inverted index on a raw column, a negative `maxLength`.
    public func validate(against schema: PinotSchema) throws(SegmentError) {
        try schema.checkColumnNames()
        if let timeColumn {
            guard let field = schema.field(timeColumn) else {
                throw SegmentError(.invalidSchema, "the time column \(timeColumn) is not a column of schema \(schema.schemaName)", column: timeColumn)
            }
            guard field.role == .dateTime, field.singleValue, [.int, .long, .timestamp, .string].contains(field.dataType) else {
                throw SegmentError(.invalidSchema,
                    "the time column \(timeColumn) is a \(field.role == .dateTime ? "" : "\(field.role) ")\(field.dataType.rawValue)\(field.singleValue ? "" : " multi-value") field; it must be a single-value date-time field (INT, LONG, TIMESTAMP or STRING)",
                    column: timeColumn)
            }
            if field.dataType != .string, field.dataType != .timestamp, let format = field.format, TimeFormat(format) == nil {
                throw SegmentError(.invalidSchema, "the time column's format \(format) is not a Pinot date-time format", column: timeColumn)
            }
        }
        let names = Set(schema.fields.map(\.name))
        for (setting, columns) in [("noDictionaryColumns", Array(noDictionaryColumns)), ("invertedIndexColumns", Array(invertedIndexColumns)),
                                   ("compressionCodec", Array(compression.keys)), ("targetMaxChunkSize", Array(targetChunkSize.keys))] {
            for column in columns.sorted() where !names.contains(column) {
                throw SegmentError(.invalidSchema, "\(setting) names \(column), which is not a column of schema \(schema.schemaName)", column: column)
            }
        }
        for column in invertedIndexColumns.sorted() where noDictionaryColumns.contains(column) {
            throw SegmentError(.invalidSchema, "an inverted index needs a dictionary, and \(column) is a raw (no-dictionary) column", column: column)
        }
        for field in schema.fields {
            if let maxLength = field.maxLength, maxLength < 0 {
                throw SegmentError(.invalidSchema, "maxLength \(maxLength) is negative", column: field.name)
            }
        }
    }

    /// The config without settings for columns `schema` lacks (a table config kept on a
    /// controller can name columns a table no longer has); returns the dropped names too.
    public func restricted(to schema: PinotSchema) -> (config: TableConfig, dropped: [String]) {
        let names = Set(schema.fields.map(\.name))
        var copy = self
        var dropped = Set<String>()
        dropped.formUnion(noDictionaryColumns.subtracting(names))
        dropped.formUnion(invertedIndexColumns.subtracting(names))
        copy.noDictionaryColumns = noDictionaryColumns.intersection(names)
        copy.invertedIndexColumns = invertedIndexColumns.intersection(names).subtracting(copy.noDictionaryColumns)
        copy.compression = compression.filter { names.contains($0.key) }
        copy.targetChunkSize = targetChunkSize.filter { names.contains($0.key) }
        if let time = timeColumn, !names.contains(time) {
            copy.timeColumn = nil
            dropped.insert(time)
        }
        return (copy, dropped.sorted())
    }

    static func compressionCode(_ name: String) -> Int32? {
        switch name.uppercased() {
        case "PASS_THROUGH": 0
        case "SNAPPY": 1
        case "ZSTANDARD", "ZSTD": 2
        case "LZ4": 3
        case "LZ4_LENGTH_PREFIXED": 4
        default: nil
        }
    }

    /// Reads Pinot's table config JSON.
    /// - Throws: `.invalidSchema` for a REALTIME config, an unknown compression codec and a
    ///   chunk size that is not a size in 1 byte…1 GB; each names the column and the value.
    public static func parse(_ bytes: [UInt8]) throws(SegmentError) -> TableConfig {
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw SegmentError(.invalidSchema, "table config is not a JSON object")
        }
        guard var name = json["tableName"] as? String, !name.isEmpty else {
            throw SegmentError(.invalidSchema, "table config lacks a string \"tableName\" (is this a schema?)")
        }
        if let type = json["tableType"] as? String, type.uppercased() != "OFFLINE" {
            throw SegmentError(.invalidSchema, "tableType \(type): segments are built for OFFLINE tables (a REALTIME table consumes its stream itself)")
        }
        if name.hasSuffix("_REALTIME") {
            throw SegmentError(.invalidSchema, "tableName \(name) names a REALTIME table: segments are built for OFFLINE tables")
        }
        if name.hasSuffix("_OFFLINE") { name.removeLast("_OFFLINE".count) }
        var config = TableConfig(tableName: name)
        config.timeColumn = (json["segmentsConfig"] as? [String: Any])?["timeColumnName"] as? String
        let indexConfig = (json["tableIndexConfig"] as? [String: Any]) ?? [:]
        config.noDictionaryColumns = Set((indexConfig["noDictionaryColumns"] as? [String]) ?? [])
        config.invertedIndexColumns = Set((indexConfig["invertedIndexColumns"] as? [String]) ?? [])
        for field in (json["fieldConfigList"] as? [[String: Any]]) ?? [] {
            guard let column = field["name"] as? String else { continue }
            func codec(_ value: Any?) throws(SegmentError) -> Int32? {
                guard let value else { return nil }
                guard let text = value as? String, let code = compressionCode(text) else {
                    throw SegmentError(.invalidSchema, "compressionCodec \(value) is not one of PASS_THROUGH, SNAPPY, ZSTANDARD, LZ4, LZ4_LENGTH_PREFIXED", column: column)
                }
                return code
            }
            if (field["encodingType"] as? String) == "RAW" { config.noDictionaryColumns.insert(column) }
            if let code = try codec(field["compressionCodec"]) { config.compression[column] = code }
            if let forward = (field["indexes"] as? [String: Any])?["forward"] as? [String: Any] {
                if let code = try codec(forward["compressionCodec"]) { config.compression[column] = code }
                if let size = forward["targetMaxChunkSize"] {
                    guard let text = size as? String, let bytes = parseSize(text), (1...maxChunkSize).contains(bytes) else {
                        throw SegmentError(.invalidSchema, "targetMaxChunkSize \(size) is not a size from 1 byte to 1GB (such as \"1MB\")", column: column)
                    }
                    config.targetChunkSize[column] = bytes
                }
            }
            if let indexTypes = field["indexTypes"] as? [String], indexTypes.contains("INVERTED") { config.invertedIndexColumns.insert(column) }
        }
        return config
    }

    /// The largest `targetMaxChunkSize` accepted: a chunk is held (and compressed) whole.
    static let maxChunkSize = 1 << 30

    /// Pinot's data sizes: a number with an optional K, M, G or T and an optional B, any case.
    static func parseSize(_ text: String) -> Int? {
        var digits = Substring(text.uppercased().trimmingCharacters(in: .whitespaces))
        if digits.hasSuffix("B") { digits.removeLast() }
        var factor = 1
        for (suffix, scale) in [("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40)] where digits.hasSuffix(suffix) {
            digits.removeLast()
            factor = scale
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let number = Int(digits) else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: factor)
        return overflow ? nil : bytes
    }
}
