import Columnar
import Foundation
@testable import Pinot
import Testing

/// Random schemas and rows → segment → reader: equal to the input under Pinot's null semantics.
@Suite("Pinot segment round trips")
struct RoundTripTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let types: [PinotDataType] = [.int, .long, .float, .double, .boolean, .timestamp, .string, .bytes, .bigDecimal, .json]

    static func value(_ type: PinotDataType, _ g: inout Generator, cardinality: Int) -> Value {
        let pick = g.int(cardinality)
        switch type {
        case .int: return .int(Int64(Int32(truncatingIfNeeded: pick * 7919 - 40_000)))
        case .long: return .int(Int64(pick) * 1_000_000_007 - 3)
        case .float: return [Value.float(.nan), .float(-0.0), .float(Float(pick) / 8)][g.int(10) < 1 ? g.int(2) : 2]
        case .double: return [Value.double(.nan), .double(-0.0), .double(Double(pick) / 3)][g.int(10) < 1 ? g.int(2) : 2]
        case .boolean: return .boolean(pick % 2 == 0)
        case .timestamp: return .int(1_600_000_000_000 + Int64(pick) * 1000)
        case .string: return .string(["", "é\(pick)", "a,b \(pick)", "😀\(pick)", "x\(pick)"][pick % 5])
        case .bytes: return .bytes((0..<(pick % 6)).map { UInt8(truncatingIfNeeded: $0 * 31 + pick) })
        case .bigDecimal: return .decimal(unscaled: Int128(pick) * 1001 - 500, scale: pick % 4)
        case .json: return .json("{\"k\": \(pick), \"a\": [\(pick % 3)]}")
        }
    }

    /// The reader's view of what was written.
    static func expected(_ value: Value, _ type: PinotDataType) -> Value {
        switch value {
        case .float(let f) where f.isNaN: return .null
        case .double(let d) where d.isNaN: return .null
        case .float(let f) where f == 0: return .float(0)
        case .double(let d) where d == 0: return .double(0)
        case .decimal(let u, let s):
            let (su, ss) = JavaText.stripTrailingZeros(unscaled: u, scale: s)
            return .decimal(unscaled: su, scale: ss)
        case .json(let text): return .json(CompactJSON.normalize(text))
        case .list(let items):
            let kept = items.map { expected($0, type) }.filter { $0 != .null }
            return kept.isEmpty ? .null : .list(kept)
        default: return value
        }
    }

    @Test("random schemas and rows read back under Pinot's null semantics", arguments: Array(1...12))
    func roundTrip(seed: UInt64) throws {
        var g = Generator(state: seed &* 0x9E37_79B9_7F4A_7C15 | 1)
        var fields: [PinotFieldSpec] = []
        for i in 0..<(3 + g.int(6)) {
            let type = Self.types[g.int(Self.types.count)]
            let multi = type != .json && type != .bigDecimal && type != .bytes && g.int(3) == 0
            fields.append(PinotFieldSpec(name: "c\(i)", dataType: type, role: g.int(2) == 0 ? .dimension : .metric, singleValue: !multi))
        }
        let schema = PinotSchema(schemaName: "r", fields: fields)
        var table = TableConfig(tableName: "r")
        for field in fields where g.int(4) == 0 { table.noDictionaryColumns.insert(field.name) }
        let builder = try SegmentBuilder(schema: schema, table: table)
        let rowCount = 1 + g.int(400)
        let nullRate = g.int(50)
        var input: [[String: Value]] = []
        for row in 0..<rowCount {
            var values: [String: Value] = [:]
            for field in fields {
                let cardinality = field.name.hasSuffix("0") ? 3 : 1 + g.int(1000)
                if g.int(100) < nullRate { values[field.name] = .null; continue }
                if field.singleValue {
                    values[field.name] = field.name == "c1" ? .int(Int64(row)) : Self.value(field.dataType, &g, cardinality: cardinality)
                    if field.name == "c1", field.dataType != .long && field.dataType != .int { values[field.name] = Self.value(field.dataType, &g, cardinality: cardinality) }
                } else {
                    values[field.name] = .list((0..<g.int(4)).map { _ in g.int(10) == 0 ? .null : Self.value(field.dataType, &g, cardinality: cardinality) })
                }
            }
            input.append(values)
            try builder.add(row: values)
        }
        let segment = try SegmentReader(files: try builder.build(name: "r").files, name: "r")
        let columns = try segment.columns()
        for field in fields {
            for (doc, row) in input.enumerated() {
                let want = Self.expected(row[field.name] ?? .null, field.dataType)
                let got = columns[field.name]![doc]
                let same: Bool
                switch (want, got) {
                case (.boolean(let b), .boolean(let c)): same = b == c
                case (.int(let b), .boolean(let c)) where field.dataType == .boolean: same = (b != 0) == c
                case (.bytes(let b), .bytes(let c)): same = b == c
                default: same = want == got
                }
                #expect(same, "seed \(seed) \(field.name) (\(field.dataType.rawValue)) doc \(doc): \(got.jsonText) != \(want.jsonText)")
                if !same { return }
            }
        }
    }
}
