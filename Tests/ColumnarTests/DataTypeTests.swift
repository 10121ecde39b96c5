import Columnar
import Testing

/// `DataType`: the Pinot type each column becomes (DESIGN.md's mapping) and its short name.
@Suite("columnar: data types")
struct DataTypeTests {
    static let types: [(DataType, String, String)] = [
        (.boolean, "BOOLEAN", "boolean"),
        (.int32, "INT", "int"),
        (.date, "INT", "int(date)"),
        (.int64, "LONG", "long"),
        (.time, "LONG", "long(time)"),
        (.float32, "FLOAT", "float"),
        (.float64, "DOUBLE", "double"),
        (.decimal(precision: 38, scale: 9), "BIG_DECIMAL", "decimal(38,9)"),
        (.string, "STRING", "string"),
        (.json, "JSON", "json"),
        (.bytes, "BYTES", "bytes"),
        (.timestamp(.milliseconds), "TIMESTAMP", "timestamp"),
        (.timestamp(.microseconds), "TIMESTAMP", "timestamp(us)"),
        (.timestamp(.nanoseconds), "TIMESTAMP", "timestamp(ns)"),
        (.list(.date), "INT", "list<int(date)>"),
        (.list(.timestamp(.nanoseconds)), "TIMESTAMP", "list<timestamp(ns)>"),
    ]

    @Test("Pinot type names and descriptions", arguments: types)
    func names(type: DataType, pinot: String, description: String) {
        #expect(type.pinotTypeName == pinot)
        #expect(type.description == description)
    }

    @Test("timestamp and multi-value questions")
    func predicates() {
        #expect(DataType.timestamp(.microseconds).isTimestamp)
        #expect(DataType.timestamp(.microseconds).timestampUnit == .microseconds)
        #expect(!DataType.int64.isTimestamp && DataType.int64.timestampUnit == nil)
        #expect(!DataType.list(.timestamp(.milliseconds)).isTimestamp, "a list of timestamps is a list")
        #expect(DataType.list(.string).isMultiValue && !DataType.string.isMultiValue)
        #expect(DataType.timestamp(.milliseconds) != .timestamp(.microseconds))
    }

    static let unitCases: [(TimestampUnit, Int64, String)] = [(.milliseconds, 1, "ms"), (.microseconds, 1000, "us"), (.nanoseconds, 1_000_000, "ns")]

    @Test("timestamp units: per millisecond and names", arguments: unitCases)
    func units(unit: TimestampUnit, perMillisecond: Int64, name: String) {
        #expect(unit.perMillisecond == perMillisecond)
        #expect(unit.description == name)
        #expect(unit.millis(perMillisecond * 6 - 1) == 5, "the last value of millisecond 5")
        #expect(unit.millis(-perMillisecond * 5 - 1) == -6)
    }
}
