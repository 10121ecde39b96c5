import Avro
import Foundation
import Testing
import TestSupport

/// Files written by fastavro (Tests/Fixtures/avro/make_avro.py) decode to the records fastavro
/// reads, for every codec; resolution against an older reader schema; broken files fail typed.
@Suite("Avro container files")
struct AvroFixtureTests {
    static let directory = Repository.fixtures + "/avro"

    static func load(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }

    static func expectation(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))) as! [String: Any]
    }

    @Test("each codec decodes to fastavro's records", arguments: ["null", "deflate", "snappy", "zstandard"])
    func codecs(codec: String) throws {
        let name = "alltypes-\(codec).avro"
        let file = try AvroContainerFile(bytes: try Self.load(name), name: name)
        let expected = try Self.expectation(name + ".json")
        #expect(file.codec == codec)
        let records = expected["records"] as! [Any]
        #expect(file.records.count == records.count)
        #expect((expected["blockRecordCounts"] as! [Int]).count >= 3, "the fixture has several blocks")
        for (index, (value, want)) in zip(file.records, records).enumerated() {
            let got = try normalized(render(value, file.writerSchema)) as! [String: Any]
            let wanted = want as! [String: Any]
            let differing = try wanted.keys.sorted().filter { key in try canonical(got[key] ?? "missing") != canonical(wanted[key]!) }
            #expect(differing.isEmpty, "record \(index): fields \(differing.map { "\($0): \(got[$0] ?? "missing") != \(wanted[$0]!)" })")
            if !differing.isEmpty { break }
        }
    }

    @Test("a newer writer schema resolves against an older reader schema by field name")
    func resolution() throws {
        let reader = try AvroSchema.parse(String(contentsOfFile: Self.directory + "/evolved.reader-schema.json", encoding: .utf8))
        let file = try AvroContainerFile(bytes: try Self.load("evolved.avro"), name: "evolved.avro", readerSchema: reader)
        let expected = try Self.expectation("evolved.resolved.json")["records"] as! [Any]
        #expect(file.records.count == expected.count)
        for (value, want) in zip(file.records, expected) {
            #expect(try canonical(render(value, reader)) == canonical(want))
        }
    }

    @Test("broken files give typed errors naming the file and block", arguments: ["bad-magic.avro", "bad-sync.avro", "bad-truncated.avro"])
    func broken(name: String) throws {
        let expected = try Self.expectation(name + ".json")
        let error = #expect(throws: AvroError.self) { _ = try AvroContainerFile(bytes: try Self.load(name), name: name) }
        #expect(error?.code.description == expected["error"] as? String, "\(String(describing: error))")
        #expect(error?.file == name)
        if let block = expected["blockIndex"] as? Int { #expect(error?.block == block) }
    }

    @Test("truncating or flipping bytes never crashes")
    func mutations() throws {
        let original = try Self.load("alltypes-deflate.avro")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        var failures = 0
        for _ in 0..<400 {
            var bytes = original
            if next() % 2 == 0 {
                bytes.removeLast(Int(next() % UInt64(bytes.count)))
            } else {
                for _ in 0..<4 { bytes[Int(next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: next() | 1) }
            }
            do { _ = try AvroContainerFile(bytes: bytes, name: "m") } catch { failures += 1 }
        }
        #expect(failures > 0)
    }
}

/// The value as JSON parsing makes it (Foundation types all the way down), so that it compares
/// with the expectation like for like.
func normalized(_ value: Any) throws -> Any {
    (try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: [value])) as! [Any])[0]
}

/// Sorted-key JSON text: equal values give equal text.
func canonical(_ value: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: [try normalized(value)], options: [.sortedKeys]), as: UTF8.self)
}

/// A decoded value in the fixture's JSON form: bytes and fixed as hex, decimals as text with
/// their scale, enums as symbols, maps as objects, NaN as "NaN".
func render(_ value: AvroValue, _ schema: AvroSchema) -> Any {
    if case .logical(let inner, let logical) = schema, logical.name == "decimal", let bytes = value.bytesValue {
        return decimalText(bytes, scale: logical.scale ?? 0)
    }
    switch (value, schema.base) {
    case (.null, _): return NSNull()
    case (_, .union(let branches)):
        for branch in branches where matches(value, branch) { return render(value, branch) }
        return "unmatched"
    case (.boolean(let b), _): return b
    case (.int(let i), _): return NSNumber(value: i)
    case (.long(let l), _): return NSNumber(value: l)
    case (.float(let f), _): return special(Double(f)) ?? NSNumber(value: Double(f))
    case (.double(let d), _): return special(d) ?? NSNumber(value: d)
    case (.bytes(let b), _), (.fixed(let b), _): return b.map { String(format: "%02x", $0) }.joined()
    case (.string(let s), _): return s
    case (.enumeration(_, let symbol), _): return symbol
    case (.array(let items), .array(let itemSchema)): return items.map { render($0, itemSchema) }
    case (.map(let map), .map(let valueSchema)):
        var out: [String: Any] = [:]
        for (key, item) in map.entries { out[key] = render(item, valueSchema) }
        return out
    case (.record(let record), .record(_, let fields)):
        var out: [String: Any] = [:]
        for field in fields { out[field.name] = record[field.name].map { render($0, field.schema) } ?? NSNull() }
        return out
    default: return "unrenderable"
    }
}

private func special(_ value: Double) -> String? {
    value.isNaN ? "NaN" : value == .infinity ? "Infinity" : value == -.infinity ? "-Infinity" : nil
}

private func matches(_ value: AvroValue, _ schema: AvroSchema) -> Bool {
    switch (value, schema.base) {
    case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float), (.double, .double),
         (.bytes, .bytes), (.string, .string), (.fixed, .fixed), (.enumeration, .enumeration), (.array, .array),
         (.map, .map), (.record, .record):
        return true
    default:
        return false
    }
}

private func decimalText(_ bytes: [UInt8], scale: Int) -> String {
    var value: UInt128 = bytes.first.map { $0 & 0x80 != 0 } == true ? ~0 : 0
    for byte in bytes { value = value << 8 | UInt128(byte) }
    let signed = Int128(bitPattern: value)
    var digits = String(signed.magnitude)
    guard scale > 0 else { return (signed < 0 ? "-" : "") + digits }
    if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
    let split = digits.index(digits.endIndex, offsetBy: -scale)
    return (signed < 0 ? "-" : "") + digits[..<split] + "." + digits[split...]
}

@Suite("Avro schemas")
struct AvroSchemaTests {
    @Test("recursive named types are refused rather than misread")
    func recursive() {
        let json = #"{"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}"#
        let error = #expect(throws: AvroError.self) { _ = try AvroSchema.parse(json) }
        #expect(error?.code == .invalidSchema)
    }

    @Test("a block count of Int64.min is corrupt data, not a crash")
    func minimumBlockCount() throws {
        let file = try AvroFixtureTests.load("alltypes-null.avro")
        // Replace the first block's record count (right after the 16-byte sync of the header)
        // with zig-zag(Int64.min) = 0xFF…FF01.
        guard let sync = file.firstRange(of: file[(file.count - 16)...]) else { return }
        var bytes = Array(file[..<sync.upperBound])
        bytes += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02]
        #expect(throws: AvroError.self) { _ = try AvroContainerFile(bytes: bytes, name: "min.avro") }
    }
}
