import Avro
import Columnar
@testable import Engine
import Iceberg
@testable import Pinot
import Testing

/// Timestamps through the projection: a file column keeps the unit its file wrote, and an
/// identity partition value (µs or ns in the manifest) keeps every digit.
@Suite("engine: timestamp units in the projection")
struct TimestampProjectionTests {
    @Test("Iceberg timestamp types map to µs and ns timestamps; files in any unit are read as the table's timestamp, keeping their unit")
    func units() throws {
        #expect(try TypeMapping.dataType(.timestamptz) == .timestamp(.microseconds))
        #expect(try TypeMapping.dataType(.timestampNs) == .timestamp(.nanoseconds))
        #expect(FileProjection.compatible(file: .timestamp(.milliseconds), table: .timestamp(.microseconds)))
        #expect(!FileProjection.compatible(file: .int64, table: .timestamp(.microseconds)))
        #expect(FileProjection.retyped(.timestamp(.nanoseconds), as: .timestamp(.microseconds)) == .timestamp(.nanoseconds))
        #expect(FileProjection.retyped(.list(.timestamp(.milliseconds)), as: .list(.timestamp(.microseconds))) == .list(.timestamp(.milliseconds)))
        #expect(FileProjection.retyped(.int32, as: .int64) == .int64)
    }

    @Test("an identity partition timestamp is stored in a LONG µs field digit for digit and floored in a TIMESTAMP field")
    func partitionConstant() throws {
        let micros: Int64 = 1_700_000_000_123_456
        let negative: Int64 = -1_001
        #expect(FileProjection.partitionValue(.long(micros), type: .timestamptz) == .int(micros))
        #expect(FileProjection.partitionValue(.long(negative), type: .timestampNs) == .int(negative))
        let projection = FileProjection(decodeFields: [0], outputs: [
            .column(index: 0, name: "id", type: .int64),
            .constant(name: "ts", type: .timestamp(.microseconds), value: FileProjection.partitionValue(.long(micros), type: .timestamp)),
            .constant(name: "ts_ms", type: .timestamp(.microseconds), value: FileProjection.partitionValue(.long(micros), type: .timestamp)),
        ])
        let batch = projection.apply(RecordBatch(fields: [Field(name: "id", type: .int64, nullable: false)],
                                                 columns: [Column(type: .int64, storage: .int64([1, 2, 3]))], rowCount: 3))
        let schema = PinotSchema(schemaName: "t", fields: [
            PinotFieldSpec(name: "id", dataType: .long, role: .dimension),
            PinotFieldSpec(name: "ts", dataType: .long, role: .dateTime, format: "1:MICROSECONDS:EPOCH", granularity: "1:MICROSECONDS"),
            PinotFieldSpec(name: "ts_ms", dataType: .timestamp, role: .dateTime, format: "1:MILLISECONDS:EPOCH", granularity: "1:MILLISECONDS"),
        ])
        let builder = try SegmentBuilder(schema: schema, table: TableConfig(tableName: "t", timeColumn: "ts"))
        try builder.add(batch: batch)
        let columns = try SegmentReader(files: try builder.build(name: "t").files, name: "t").columns()
        #expect(columns["ts"] == Array(repeating: .int(micros), count: 3))
        #expect(columns["ts_ms"] == Array(repeating: .int(micros / 1000), count: 3))
    }
}
