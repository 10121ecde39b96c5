import Columnar
@testable import Engine
import Foundation
import Testing

@Suite("engine: a data lake's schema as the union of its files")
struct LakeSchemaUnionTests {
    private func field(_ name: String, _ type: DataType, nullType: Bool = false) -> Field {
        Field(name: name, type: type, nullable: true, isNullType: nullType)
    }

    @Test("later columns are added with a note, int widens to long and float to double, timestamps of any unit agree")
    func growsAndWidens() throws {
        var union = LakeSchemaUnion()
        #expect(try union.add([field("id", .int32), field("x", .float32), field("ts", .timestamp(.microseconds))], rows: 3, file: "a") == [])
        let notes = try union.add([field("id", .int64), field("x", .float32), field("ts", .timestamp(.nanoseconds)), field("extra", .string)],
                                  rows: 2, file: "b")
        #expect(notes.count == 2 && notes.contains { $0.contains("extra appears first in b") } && notes.contains { $0.contains("id widens") },
                "\(notes)")
        #expect(try union.add([field("x", .float64), field("id", .int32)], rows: 1, file: "c").count == 1)
        #expect(union.fields.map(\.name) == ["id", "x", "ts", "extra"])
        #expect(union.fields.map(\.type) == [.int64, .float64, .timestamp(.microseconds), .string])
    }

    @Test("a conflict names both files; a null-typed column takes the first type given; a 0-row file decides nothing")
    func conflictsAndNulls() throws {
        var union = LakeSchemaUnion()
        _ = try union.add([field("v", .string), field("n", .int32)], rows: 0, file: "empty")
        _ = try union.add([field("n", .int32, nullType: true), field("v", .int64)], rows: 4, file: "a")
        _ = try union.add([field("n", .date), field("v", .int32)], rows: 4, file: "b")
        #expect(union.fields.map(\.type) == [.date, .int64], "the 0-row file's string v decided nothing; n took b's date")
        #expect(throws: EngineError.self) { try union.add([field("n", .string)], rows: 1, file: "c") }
        do {
            _ = try union.add([field("v", .string)], rows: 1, file: "c")
        } catch {
            #expect(error.message.contains("in c but long in a") && error.file == "c" && error.column == "v", "\(error.message)")
        }
        var onlyEmpty = LakeSchemaUnion()
        _ = try onlyEmpty.add([field("v", .string)], rows: 0, file: "empty")
        #expect(onlyEmpty.fields.map(\.name) == ["v"], "with no file holding rows, the first 0-row file's columns")
    }

    @Test("the union survives the state file: types as text and back")
    func roundTrip() throws {
        var union = LakeSchemaUnion()
        _ = try union.add([field("d", .decimal(precision: 10, scale: 2)), field("l", .list(.timestamp(.nanoseconds))),
                           field("u", .int32, nullType: true)], rows: 1, file: "a")
        let decoded = try JSONDecoder().decode(LakeSchemaUnion.self, from: JSONEncoder().encode(union))
        #expect(decoded == union)
        #expect(decoded.fields.map(\.type) == [.decimal(precision: 10, scale: 2), .list(.timestamp(.nanoseconds)), .string])
        _ = try union.add([field("d", .decimal(precision: 12, scale: 2))], rows: 1, file: "b")
        #expect(union.fields[0].type == .decimal(precision: 12, scale: 2))
    }
}
