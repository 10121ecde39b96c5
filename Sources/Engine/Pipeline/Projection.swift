import Avro
import Columnar
import Foundation
import Iceberg
import Pinot

/// Turns a data file's batches (in the file's own schema) into the table's current schema, keyed
/// by Iceberg field id (``ColumnMatcher``: field id, then name mapping, then name): renamed
/// columns land under their current name, promoted types (int → long, float → double, decimal
/// precision) are widened by the builder's typed appends, a column the file lacks is left out
/// (null in its rows), identity partition values and, with `includePartitionColumns`, the
/// non-identity partition fields come from the file's partition tuple as constant columns. An
/// S3 data lake file is matched to the schema by column name.
struct FileProjection: Sendable {
    enum Output: Sendable {
        /// Decoded column `index` of the decoded batch, renamed and retyped.
        case column(index: Int, name: String, type: DataType)
        /// The same value in every row.
        case constant(name: String, type: DataType, value: Value)
    }

    /// Top-level Parquet fields to decode, in file order.
    let decodeFields: [Int]
    let outputs: [Output]

    /// Applies the projection to a batch decoded from ``decodeFields``.
    func apply(_ batch: RecordBatch) -> RecordBatch {
        var fields: [Field] = []
        var columns: [Column] = []
        for output in outputs {
            switch output {
            case .column(let index, let name, let table):
                var column = batch.columns[index]
                // A timestamp keeps the unit its file wrote; the builder converts from that.
                let type = Self.retyped(column.type, as: table)
                column.type = type
                fields.append(Field(name: name, type: type, nullable: true))
                columns.append(column)
            case .constant(let name, let type, let value):
                guard let single = Self.storage(value, type: type) else { continue }
                fields.append(Field(name: name, type: type, nullable: true))
                columns.append(Column(type: type, storage: .dictionary(values: single, indices: [Int32](repeating: 0, count: batch.rowCount))))
            }
        }
        return RecordBatch(fields: fields, columns: columns, rowCount: batch.rowCount)
    }

    /// One value as single-element storage of `type` (nil for null: the column is left out).
    static func storage(_ value: Value, type: DataType) -> ColumnStorage? {
        switch (value, type) {
        case (.null, _): return nil
        case (.boolean(let b), _): return .boolean([b])
        case (.int(let i), .int32), (.int(let i), .date): return Int32(exactly: i).map { .int32([$0]) }
        case (.int(let i), _): return .int64([i])
        case (.float(let f), _): return .float32([f])
        case (.double(let d), _): return .float64([d])
        case (.decimal(let unscaled, _), _): return .int128([unscaled])
        case (.string(let s), _), (.json(let s), _): return .byteArrays(ByteArrays([Array(s.utf8)]))
        case (.bytes(let b), _): return .byteArrays(ByteArrays([b]))
        case (.list, _): return nil
        }
    }

    /// The type a file column of type `file` takes as the table's `table` type: the table's,
    /// except that timestamps keep the file's unit.
    static func retyped(_ file: DataType, as table: DataType) -> DataType {
        switch (file, table) {
        case (.timestamp, .timestamp): file
        case (.list(let a), .list(let b)): .list(retyped(a, as: b))
        default: table
        }
    }

    /// Whether a file column of type `file` can be read as the table's `table` type (Iceberg's
    /// allowed promotions; a timestamp in any unit as a timestamp).
    static func compatible(file: DataType, table: DataType) -> Bool {
        switch (file, table) {
        case _ where file == table: true
        case (.timestamp, .timestamp): true
        case (.int32, .int64), (.float32, .float64): true
        case (.decimal(let p1, let s1), .decimal(let p2, let s2)): s1 == s2 && p1 <= p2
        case (.list(let a), .list(let b)): compatible(file: a, table: b)
        default: false
        }
    }

    /// The projection of an Iceberg data file.
    /// - Throws: `.schemaMismatch` naming the file and column when a file column's type is not
    ///   the table's (nor a promotion of it).
    static func iceberg(file: PlannedFile, fileFields: [Field], table: TableMetadata, includePartitionColumns: Bool,
                        excluded: Set<String> = []) throws(EngineError) -> FileProjection {
        let schema = table.currentSchema
        let matcher = ColumnMatcher(schema: schema, spec: table.spec(id: file.specId) ?? table.defaultSpec, nameMapping: table.nameMapping)
        let sources = matcher.match(fileFields: fileFields, partition: file.partition)
        var decode: [Int] = []
        var outputs: [Output] = []
        for (field, source) in zip(schema.fields, sources) where !excluded.contains(field.name) {
            let type: DataType
            do {
                type = try TypeMapping.dataType(field.type)
            } catch {
                throw EngineError(.unsupported, "column \(field.name) has Iceberg type \(field.type), which is not ingested", file: file.path, column: field.name)
            }
            switch source {
            case .column(let index):
                let fileType = fileFields[index].type
                guard compatible(file: fileType, table: type) else {
                    throw EngineError(.schemaMismatch,
                        "column \(field.name) (field id \(field.id)) is \(fileType) in the data file but \(type) (\(field.type)) in the table",
                        file: file.path, column: field.name)
                }
                outputs.append(.column(index: decode.count, name: field.name, type: type))
                decode.append(index)
            case .partition(let value):
                outputs.append(.constant(name: field.name, type: type, value: partitionValue(value.value, type: field.type)))
            case .missing:
                break
            }
        }
        if includePartitionColumns {
            for partition in table.defaultSpec.fields where partition.transform != .identity && partition.transform != .void {
                guard let sourceField = schema.field(id: partition.sourceId) else { continue }
                let resultType = partition.transform.resultType(source: sourceField.type)
                guard let dataType = try? TypeMapping.dataType(resultType) else { continue }
                let value = file.partition.first { $0.fieldId == partition.fieldId } ?? file.partition.first { $0.name == partition.name }
                outputs.append(.constant(name: partition.name, type: dataType == .date ? .int32 : dataType,
                                         value: value.map { partitionValue($0.value, type: resultType) } ?? .null))
            }
        }
        return FileProjection(decodeFields: decode, outputs: outputs)
    }

    /// The projection of an S3 data lake file onto `schema`, by column name.
    /// - Parameter partitions: the file's Hive-style partition values, for columns it lacks.
    static func byName(file: String, fileFields: [Field], schema: PinotSchema, reference: [String: DataType],
                       partitions: [String: Value] = [:]) throws(EngineError) -> FileProjection {
        var decode: [Int] = []
        var outputs: [Output] = []
        for spec in schema.fields {
            guard let index = fileFields.firstIndex(where: { $0.name == spec.name }) else {
                if let value = partitions[spec.name], let type = reference[spec.name] {
                    outputs.append(.constant(name: spec.name, type: type, value: value))
                }
                continue
            }
            let fileType = fileFields[index].type
            let type = reference[spec.name] ?? fileType
            if fileFields[index].isNullType {
                // Declared without a type: every value is null, whatever the table's type.
                outputs.append(.constant(name: spec.name, type: type, value: .null))
                continue
            }
            guard compatible(file: fileType, table: type) else {
                throw EngineError(.schemaMismatch, "column \(spec.name) is \(fileType) in this file but \(type) in the data lake's schema",
                                  file: file, column: spec.name)
            }
            outputs.append(.column(index: decode.count, name: spec.name, type: type))
            decode.append(index)
        }
        return FileProjection(decodeFields: decode, outputs: outputs)
    }

    /// An Iceberg partition value (Avro-encoded in the manifest) in the column model.
    static func partitionValue(_ value: AvroValue, type: IcebergType) -> Value {
        switch (type, value) {
        case (_, .null): return .null
        case (.boolean, .boolean(let b)): return .boolean(b)
        case (.timestamp, _), (.timestamptz, _), (.timestampNs, _), (.timestamptzNs, _):
            // Microseconds or nanoseconds, as the column's DataType says.
            guard let raw = value.int64 else { return .null }
            return .int(raw)
        case (_, .int(let i)): return .int(Int64(i))
        case (_, .long(let l)): return .int(l)
        case (_, .float(let f)): return .float(f)
        case (_, .double(let d)): return .double(d)
        case (_, .string(let s)): return .string(s)
        case (.uuid, .fixed(let bytes)) where bytes.count == 16:
            let hex = hexText(bytes)
            let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
            return .string(parts.joined(separator: "-"))
        case (.decimal(_, let scale), _):
            guard let bytes = value.bytesValue, !bytes.isEmpty, bytes.count <= 16 else { return .null }
            var unscaled: Int128 = bytes[0] & 0x80 != 0 ? -1 : 0
            for byte in bytes { unscaled = unscaled << 8 | Int128(byte) }
            return .decimal(unscaled: unscaled, scale: scale)
        case (_, .bytes(let b)), (_, .fixed(let b)): return .bytes(b)
        default: return .null
        }
    }
}
