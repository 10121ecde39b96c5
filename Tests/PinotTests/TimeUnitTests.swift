import Columnar
import Foundation
@testable import Pinot
import Testing

/// Time columns in any epoch unit and size: timestamp columns converted into the field's unit,
/// the 1971–2071 check done by the format, nulls named as nulls.
@Suite("Pinot time columns")
struct TimeUnitTests {
    static func schema(_ type: PinotDataType, _ format: String) -> PinotSchema {
        PinotSchema(schemaName: "t", fields: [
            PinotFieldSpec(name: "id", dataType: .long, role: .dimension),
            PinotFieldSpec(name: "ts", dataType: type, role: .dateTime, format: format, granularity: "1:MILLISECONDS"),
        ])
    }

    /// A batch whose `ts` is a timestamp column of `unit` since the epoch.
    static func batch(_ values: [Int64?], unit: TimestampUnit = .milliseconds, dictionary: Bool = false) -> RecordBatch {
        var validity = ValidityBitmap()
        for value in values { validity.append(value != nil) }
        let storage: ColumnStorage = dictionary
            ? .dictionary(values: .int64(values.reversed().map { $0 ?? 0 }), indices: values.indices.reversed().map(Int32.init))
            : .int64(values.map { $0 ?? 0 })
        return RecordBatch(
            fields: [Field(name: "id", type: .int64, nullable: false), Field(name: "ts", type: .timestamp(unit), nullable: true)],
            columns: [Column(type: .int64, storage: .int64(values.indices.map(Int64.init))),
                      Column(type: .timestamp(unit), storage: storage, validity: validity)],
            rowCount: values.count)
    }

    @Test("a µs or ns timestamp column keeps every digit its field's unit holds, and a TIMESTAMP field floors it to milliseconds",
          arguments: [TimestampUnit.microseconds, .nanoseconds], [false, true])
    func subMillisecondDigits(unit: TimestampUnit, dictionary: Bool) throws {
        let perMilli = unit.perMillisecond
        // Sub-millisecond digits: some, the last before the next millisecond, and one unit past one.
        let values: [Int64] = [1_700_000_000_123 * perMilli + 456, 1_700_000_600_999 * perMilli + perMilli - 1, 1_764_547_200_000 * perMilli + 1]
        let cases: [(PinotDataType, String, [Int64])] = [
            (.long, "1:MICROSECONDS:EPOCH", values.map { unit == .microseconds ? $0 : $0 / 1000 }),
            (.long, "1:NANOSECONDS:EPOCH", values.map { unit == .nanoseconds ? $0 : $0 * 1000 }),
            (.long, "1:MILLISECONDS:EPOCH", values.map { $0 / perMilli }),
            (.timestamp, "1:MILLISECONDS:EPOCH", values.map { $0 / perMilli }),
            (.long, "1:SECONDS:EPOCH", values.map { $0 / perMilli / 1000 }),
        ]
        for (type, format, expected) in cases {
            let builder = try SegmentBuilder(schema: Self.schema(type, format), table: TableConfig(tableName: "t", timeColumn: "ts"))
            try builder.add(batch: Self.batch(values, unit: unit, dictionary: dictionary))
            let reader = try SegmentReader(files: try builder.build(name: "t_0").files, name: "t")
            #expect(try reader.columns()["ts"] == expected.map { .int($0) }, "\(type) \(format)")
            #expect(reader.metadata.startTime == expected[0], "\(type) \(format)")
        }
    }

    @Test("a µs timestamp before 1970 is floored, not truncated, into milliseconds")
    func negativeFloor() {
        #expect(TimestampUnit.microseconds.millis(-1) == -1)
        #expect(TimestampUnit.microseconds.millis(-1000) == -1)
        #expect(TimestampUnit.microseconds.millis(-1001) == -2)
        #expect(TimestampUnit.nanoseconds.millis(1_999_999) == 1)
        #expect(TimeFormat("1:MICROSECONDS:EPOCH")?.value(-1, unit: .nanoseconds) == -1)
        #expect(TimeFormat("1:SECONDS:EPOCH")?.value(-1, unit: .microseconds) == -1)
    }

    @Test("a timestamp column in a LONG field of MICROSECONDS, NANOSECONDS, SECONDS or 5 MINUTES is stored in that unit",
          arguments: [("1:MICROSECONDS:EPOCH", Int64(1000), Int64(1)), ("1:NANOSECONDS:EPOCH", 1_000_000, 1), ("1:SECONDS:EPOCH", 1, 1000),
                      ("5:MINUTES:EPOCH", 1, 300_000), ("EPOCH|MICROSECONDS", 1000, 1)])
    func units(format: String, multiply: Int64, divide: Int64) throws {
        let millis: [Int64] = [1_700_000_000_123, 1_700_000_600_999, 1_764_547_200_000]
        let builder = try SegmentBuilder(schema: Self.schema(.long, format), table: TableConfig(tableName: "t", timeColumn: "ts"))
        try builder.add(batch: Self.batch(millis))
        let built = try builder.build(name: "t_0")
        let reader = try SegmentReader(files: built.files, name: "t")
        let stored = millis.map { Value.int(($0 * multiply) / divide) }
        #expect(try reader.columns()["ts"] == stored)
        if format.hasPrefix("5:") {
            // A size other than 1: readers ignore it, so the range is written in milliseconds.
            #expect(reader.metadata.startTime == (millis[0] / 300_000) * 300_000)
            #expect(reader.metadata.endTime == (millis[2] / 300_000) * 300_000)
            #expect(reader.metadata.timeUnit == "MILLISECONDS")
        } else {
            #expect(reader.metadata.startTime == (millis[0] * multiply) / divide)
            #expect(reader.metadata.timeUnit == (TimeFormat(format)?.unitName ?? "?"))
        }
    }

    @Test("the 1971–2071 check converts by unit and size (values already in the field's unit)")
    func rangeByFormat() throws {
        // 2024 in minutes since the epoch, in 5-minute units: inside the range.
        let fiveMinutes = Int64(1_704_067_200_000 / 300_000)
        for (format, value, accepted) in [("5:MINUTES:EPOCH", fiveMinutes, true), ("1:HOURS:EPOCH", fiveMinutes, false),
                                          ("1:MICROSECONDS:EPOCH", 1_704_067_200_000_000, true), ("1:MICROSECONDS:EPOCH", 1_704_067_200_000, false),
                                          ("1:DAYS:EPOCH", 19_723, true), ("1:DAYS:EPOCH", 50_000, false),
                                          ("1:NANOSECONDS:EPOCH", 1_704_067_200_000_000_000, true), ("1:NANOSECONDS:EPOCH", Int64.max, false), ("1:DAYS:EPOCH", Int64.max, false)] {
            let builder = try SegmentBuilder(schema: Self.schema(.long, format), table: TableConfig(tableName: "t", timeColumn: "ts"))
            try builder.add(row: ["id": .int(1), "ts": .int(value)])
            if accepted {
                #expect(throws: Never.self, "\(format) \(value)") { _ = try builder.build(name: "t_0") }
            } else {
                let error = #expect(throws: SegmentError.self, "\(format) \(value)") { _ = try builder.build(name: "t_0") }
                #expect(error?.message.contains("1971–2071") == true)
            }
        }
    }

    @Test("a null time value is named as a null, with the row")
    func nullTime() throws {
        let builder = try SegmentBuilder(schema: Self.schema(.timestamp, "1:MILLISECONDS:EPOCH"), table: TableConfig(tableName: "t", timeColumn: "ts"))
        try builder.add(batch: Self.batch([1_700_000_000_000, nil, 1_700_000_000_001]))
        let error = #expect(throws: SegmentError.self) { _ = try builder.build(name: "t_0") }
        #expect(error?.message.contains("1 null values (the first in row 1)") == true, "\(error?.message ?? "")")
        #expect(error?.column == "ts")
    }

    @Test("a time column that is absent, not a date-time field, or of a STRING type without a text format is refused at once")
    func badTimeColumn() {
        let schema = PinotSchema(schemaName: "t", fields: [
            PinotFieldSpec(name: "id", dataType: .long, role: .dimension),
            PinotFieldSpec(name: "label", dataType: .string, role: .dimension),
        ])
        for column in ["nope", "label", "id"] {
            let error = #expect(throws: SegmentError.self) { _ = try SegmentBuilder(schema: schema, table: TableConfig(tableName: "t", timeColumn: column)) }
            #expect(error?.column == column)
            #expect(error?.code == .invalidSchema)
        }
    }
}
