import Columnar
import Foundation
import Iceberg
import ObjectStore
import Parquet
import Pinot

extension ConnectionValidator {
    /// Pinot refuses segments whose time values lie outside this range (milliseconds).
    static let timeRange: Range<Int64> = 31_536_000_000..<3_187_296_000_000

    /// The time column: its type mapped (the derivation refuses the others), and a sample of
    /// its values — the first row group of `file` — free of nulls and within 1971–2071, as
    /// Pinot requires. A run would otherwise fail on them after building.
    /// - Parameter metadata: the Iceberg table the earlier steps loaded (nil for a data lake).
    func timeColumnStep(file: (uri: String, size: Int)?, io: FileIO, metadata: TableMetadata? = nil) async throws -> String {
        let schema: PinotSchema
        if let metadata {
            let configuration = connection.configuration
            schema = try SchemaDerivation(schemaName: configuration.schemaName, options: configuration.schema)
                .derive(schema: metadata.currentSchema, spec: metadata.defaultSpec)
        } else {
            schema = try await Inspection(connection).pinotSchema()
        }
        guard let time = schema.fields.first(where: { $0.role == .dateTime }) else {
            return "no time column (schema.timeColumn is null, or no partition field names one)"
        }
        guard let file else { return "\(time.name) (\(time.dataType.rawValue)); no data file to sample" }
        let (store, key) = try io.resolve(file.uri)
        let reader = try await ParquetFileReader(source: ObjectParquetSource(store: store, key: key, size: file.size), name: file.uri)
        guard let index = reader.schema.fields.firstIndex(where: { $0.name == time.name }), !reader.metadata.rowGroups.isEmpty else {
            return "\(time.name) (\(time.dataType.rawValue)); not in \(file.uri) to sample"
        }
        let batch = try await reader.readRowGroup(0, fields: [index])
        let column = batch.columns[0]
        var nulls = 0
        var outside: [Int64] = []
        var low = Int64.max, high = Int64.min
        for row in 0..<batch.rowCount {
            guard let millis = Self.millis(column.value(at: row), type: column.type) else {
                nulls += 1
                continue
            }
            low = min(low, millis)
            high = max(high, millis)
            if !Self.timeRange.contains(millis) { outside.append(millis) }
        }
        let fix = "set schema.timeColumn to another column, or to null for none"
        if nulls > 0 {
            throw EngineError(.schemaMismatch, "\(time.name): \(nulls) of \(batch.rowCount) sampled values are null (row group 0 of \(file.uri)); "
                + "Pinot needs a time value in every row — \(fix)", file: file.uri, rowGroup: 0, column: time.name)
        }
        if let first = outside.first {
            throw EngineError(.schemaMismatch, "\(time.name): \(outside.count) of \(batch.rowCount) sampled values lie outside 1971–2071 "
                + "(the first \(Self.text(first))); Pinot refuses such segments — \(fix)", file: file.uri, rowGroup: 0, column: time.name)
        }
        return "\(time.name) (\(time.dataType.rawValue)): \(batch.rowCount) sampled values from \(Self.text(low)) to \(Self.text(high))"
    }

    /// A time value in epoch milliseconds: timestamps (already milliseconds), dates (days), longs.
    static func millis(_ value: Value, type: DataType) -> Int64? {
        guard case .int(let raw) = value else { return nil }
        return type == .date ? raw * 86_400_000 : raw
    }

    static func text(_ millis: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
