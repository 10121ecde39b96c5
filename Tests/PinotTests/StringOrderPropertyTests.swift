import Columnar
@testable import Pinot
import Testing

/// Random string columns built through the typed path (distinct values hashed, sorted by radix
/// over 8-byte windows of UTF-8 with F0–F4 mapped below EE–EF): the dictionary must come out in
/// Java's `String.compareTo` order, UTF-16 code units, checked here against Swift's own UTF-16 view.
@Suite("Pinot string dictionary order (property)")
struct StringOrderPropertyTests {
    /// Empty, NUL, ASCII, 2- and 3-byte characters on both sides of the surrogate range, the
    /// U+E000–U+FFFF block that UTF-8 and UTF-16 order differently from supplementary characters,
    /// and supplementary characters up to U+10FFFF.
    static let pieces = ["", "\u{0}", "a", "b", "z", "~", "\u{7F}", "é", "ÿ", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{EFFF}",
                         "\u{F8FF}", "\u{FFFD}", "\u{FFFF}", "\u{10000}", "😀", "𝄞", "\u{10FFFF}"]
    /// Long shared prefixes push comparisons past the first 8-byte windows.
    static let prefixes = ["", "", "shared-prefix-0123456789-", "\u{E000}\u{E000}\u{E000}", "😀😀😀😀", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\u{0}"]

    static func strings(seed: UInt64, rows: Int) -> [String] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        var distinct: [String] = []
        for _ in 0..<(rows / 3) {
            distinct.append(prefixes[next(prefixes.count)] + (0..<next(7)).map { _ in pieces[next(pieces.count)] }.joined())
        }
        return (0..<rows).map { _ in distinct[next(distinct.count)] }
    }

    @Test("the dictionary holds each distinct value once, in UTF-16 code-unit order, NUL-padded as Pinot pads",
          arguments: [UInt64(1), 2, 3, 5, 8, 13, 21, 34])
    func dictionaryOrder(seed: UInt64) throws {
        let values = Self.strings(seed: seed, rows: 6_000)
        let schema = PinotSchema(schemaName: "p", fields: [PinotFieldSpec(name: "s", dataType: .string, role: .dimension)])
        let builder = try SegmentBuilder(schema: schema, table: TableConfig(tableName: "p"))
        try builder.add(batch: RecordBatch(
            fields: [Field(name: "s", type: .string, nullable: false)],
            columns: [Column(type: .string, storage: .byteArrays(ByteArrays(values.map { Array($0.utf8) })))],
            rowCount: values.count))
        let built = try builder.build(name: "p_0", creationTime: 0)
        let reader = try SegmentReader(files: built.files, name: "p")
        let column = try #require(reader.metadata.columns.first { $0.name == "s" })
        let written = try #require(reader.files.buffer("s", "dictionary"))

        // Java sorts the distinct strings, then pads each one's UTF-8 with NULs to the longest.
        let distinct = Set(values.map { Array($0.utf16) }).sorted { $0.lexicographicallyPrecedes($1) }
            .map { Array(String(decoding: $0, as: UTF16.self).utf8) }
        let width = distinct.map(\.count).max() ?? 0
        #expect(column.cardinality == distinct.count, "seed \(seed)")
        #expect(column.lengthOfEachEntry == width, "seed \(seed)")
        let entries = stride(from: written.startIndex, to: written.endIndex, by: max(width, 1)).map { Array(written[$0..<min($0 + width, written.endIndex)]) }
        let expected = distinct.map { $0 + [UInt8](repeating: 0, count: width - $0.count) }
        let first = expected.indices.first { $0 >= entries.count || entries[$0] != expected[$0] }
        #expect(entries.count == expected.count && first == nil,
                "seed \(seed): entry \(first ?? -1) is \(first.map { ($0 < entries.count ? String(decoding: entries[$0], as: UTF8.self) : "missing").debugDescription } ?? "-"), expected \(first.map { String(decoding: expected[$0], as: UTF8.self).debugDescription } ?? "-")")

        // Read back as Pinot reads a padded dictionary: each value up to its first NUL.
        let read = try #require(try reader.columns()["s"])
        let truncated = values.map { Value.string(String(decoding: Array($0.utf8).prefix { $0 != 0 }, as: UTF8.self)) }
        #expect(read == truncated, "seed \(seed): every row maps to its own value")
    }
}
