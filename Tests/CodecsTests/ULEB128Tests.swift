import Codecs
import Testing

@Suite("ULEB128 varints")
struct ULEB128Tests {
    @Test("values of one to ten bytes, and the position after each")
    func values() throws {
        let cases: [([UInt8], UInt64)] = [
            ([0x00], 0), ([0x7f], 127), ([0x80, 0x01], 128), ([0xe5, 0x8e, 0x26], 624_485),
            ([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], UInt64.max),
        ]
        for (bytes, expected) in cases {
            var position = 0
            #expect(try ULEB128.read(bytes + [0x42], at: &position) == expected)
            #expect(position == bytes.count, "\(bytes)")
        }
    }

    @Test("cut short, or longer than ten bytes")
    func failures() {
        var position = 0
        #expect(throws: ULEB128.Failure.truncated) { try ULEB128.read([0x80, 0x80], at: &position) }
        position = 0
        #expect(throws: ULEB128.Failure.tooLong) { try ULEB128.read([UInt8](repeating: 0x80, count: 11) + [0x01], at: &position) }
        position = 0
        #expect(throws: ULEB128.Failure.truncated) { try ULEB128.read([UInt8](), at: &position) }
    }
}
