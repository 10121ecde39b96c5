import Columnar
import Testing

/// `Column.value(at:)` with each storage and logical type, and what a column keeps of its
/// validity bitmap.
@Suite("columnar: column values")
struct ColumnTests {
    static func validity(_ bits: [Bool]) -> ValidityBitmap {
        var bitmap = ValidityBitmap()
        for bit in bits { bitmap.append(bit) }
        return bitmap
    }

    @Test("each storage gives its value case")
    func storages() {
        #expect(Column(type: .boolean, storage: .boolean([false, true])).value(at: 1) == .boolean(true))
        #expect(Column(type: .int32, storage: .int32([-7])).value(at: 0) == .int(-7))
        #expect(Column(type: .date, storage: .int32([19_723])).value(at: 0) == .int(19_723), "a date stays days")
        #expect(Column(type: .int64, storage: .int64([1 << 40])).value(at: 0) == .int(1 << 40))
        #expect(Column(type: .float32, storage: .float32([2.5])).value(at: 0) == .float(2.5))
        #expect(Column(type: .float64, storage: .float64([-0.25])).value(at: 0) == .double(-0.25))
        #expect(Column(type: .decimal(precision: 10, scale: 2), storage: .int128([12345])).value(at: 0) == .decimal(unscaled: 12345, scale: 2))
        #expect(Column(type: .int64, storage: .int128([5])).value(at: 0) == .decimal(unscaled: 5, scale: 0))
        let bytes = ByteArrays([Array("x".utf8), Array(#"{"k":1}"#.utf8)])
        #expect(Column(type: .string, storage: .byteArrays(bytes)).value(at: 0) == .string("x"))
        #expect(Column(type: .json, storage: .byteArrays(bytes)).value(at: 1) == .json(#"{"k":1}"#))
        #expect(Column(type: .bytes, storage: .byteArrays(bytes)).value(at: 0) == .bytes([0x78]))
    }

    static let timestampCases: [(TimestampUnit, Int64, Int64)] = [
        (.milliseconds, -1, -1),
        (.microseconds, -1, -1),
        (.microseconds, -1000, -1),
        (.microseconds, -1001, -2),
        (.microseconds, 1_700_000_000_123_456, 1_700_000_000_123),
        (.nanoseconds, 1_999_999, 1),
        (.nanoseconds, -1, -1),
    ]

    @Test("timestamps read as milliseconds, floored", arguments: timestampCases)
    func timestamps(unit: TimestampUnit, stored: Int64, millis: Int64) {
        #expect(Column(type: .timestamp(unit), storage: .int64([stored])).value(at: 0) == .int(millis))
        #expect(unit.millis(stored) == millis)
    }

    @Test("dictionary slots read through their index, with the column's type")
    func dictionary() {
        let strings = Column(type: .string, storage: .dictionary(values: .byteArrays(ByteArrays([Array("a".utf8), Array("b".utf8)])), indices: [1, 0, 1]))
        #expect(strings.count == 3)
        #expect((0..<3).map(strings.value(at:)) == [.string("b"), .string("a"), .string("b")])
        let micros = Column(type: .timestamp(.microseconds), storage: .dictionary(values: .int64([1_500, -1_500]), indices: [0, 1]))
        #expect((0..<2).map(micros.value(at:)) == [.int(1), .int(-2)])
    }

    @Test("list slots are their child's range; nulls come from the validity bitmap")
    func lists() {
        let child = Column(type: .int64, storage: .int64([7, 8, 0, 9]), validity: Self.validity([true, true, false, true]))
        let list = Column(type: .list(.int64), storage: .list(offsets: [0, 2, 2, 4, 4], child: child),
                          validity: Self.validity([true, true, true, false]))
        #expect(list.count == 4 && list.nullCount == 1)
        #expect((0..<4).map(list.value(at:)) == [.list([.int(7), .int(8)]), .list([]), .list([.null, .int(9)]), .null])
    }

    @Test("a bitmap without nulls is dropped; one with nulls is kept")
    func validityKept() {
        let none = Column(type: .int64, storage: .int64([1, 2]), validity: Self.validity([true, true]))
        #expect(none.validity == nil && none.nullCount == 0 && !none.isNull(1))
        let some = Column(type: .int64, storage: .int64([1, 0]), validity: Self.validity([true, false]))
        #expect(some.validity != nil && some.nullCount == 1)
        #expect(some.isNull(1) && !some.isNull(0))
        #expect(some.value(at: 1) == .null && some.value(at: 0) == .int(1))
    }

    @Test("storage counts: values, dictionary indices, list offsets less one")
    func counts() {
        #expect(ColumnStorage.float64([]).count == 0)
        #expect(ColumnStorage.byteArrays(ByteArrays([[1], [2], [3]])).count == 3)
        #expect(ColumnStorage.dictionary(values: .int32([5]), indices: [0, 0, 0, 0]).count == 4)
        #expect(ColumnStorage.list(offsets: [0], child: Column(type: .int32, storage: .int32([]))).count == 0)
        let batch = RecordBatch(fields: [Field(name: "a", type: .int32, nullable: false, fieldId: 3)],
                                columns: [Column(type: .int32, storage: .int32([1, 2]))], rowCount: 2)
        #expect(batch.fields[0].fieldId == 3 && batch.rowCount == 2)
    }
}
