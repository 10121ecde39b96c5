import Columnar
import Testing

/// `Value.jsonText` (Value+JSON.swift), `decimalText` and `hexText`: the text `parquet cat`
/// prints and JSON columns hold, written out by hand for each case.
@Suite("columnar: values as JSON")
struct ValueJSONTests {
    static let scalars: [(Value, String)] = [
        (.null, "null"),
        (.boolean(true), "true"),
        (.boolean(false), "false"),
        (.int(-42), "-42"),
        (.int(Int64.min), "-9223372036854775808"),
        (.double(1.5), "1.5"),
        (.double(-0.0), "-0.0"),
        (.float(0.1), "0.1"),
        (.double(.nan), #""NaN""#),
        (.float(.infinity), #""Infinity""#),
        (.double(-.infinity), #""-Infinity""#),
        (.decimal(unscaled: 12345, scale: 2), #""123.45""#),
        (.bytes([0x00, 0xAB, 0xFF]), #""00abff""#),
        (.bytes([]), #""""#),
    ]

    @Test("scalars, non-finite floats, decimals and bytes", arguments: scalars)
    func scalar(value: Value, text: String) {
        #expect(value.jsonText == text)
    }

    @Test("strings escape quote, backslash and control characters, and keep everything else")
    func escaping() {
        #expect(Value.string("plain").jsonText == #""plain""#)
        #expect(Value.string("a\"b\\c").jsonText == #""a\"b\\c""#)
        #expect(Value.string("\n\r\t").jsonText == #""\n\r\t""#)
        #expect(Value.string("\u{0}\u{1}\u{1F}").jsonText == #""\u0000\u0001\u001f""#)
        #expect(Value.string("\u{7F}é😀/").jsonText == "\"\u{7F}é😀/\"", "DEL, non-ASCII and / are written as they are")
        #expect(Value.json(#"{"a":1}"#).jsonText == #""{\"a\":1}""#, "a JSON column is a JSON string")
    }

    @Test("lists nest without spaces")
    func lists() {
        #expect(Value.list([]).jsonText == "[]")
        #expect(Value.list([.int(1), .null, .list([]), .string("x")]).jsonText == #"[1,null,[],"x"]"#)
        #expect(Value.list([.list([.bytes([1])]), .double(.nan)]).jsonText == #"[["01"],"NaN"]"#)
    }

    @Test("writeJSON appends to what is there")
    func appends() {
        var out = "row: "
        Value.int(7).writeJSON(into: &out)
        Value.boolean(false).writeJSON(into: &out)
        #expect(out == "row: 7false")
    }

    static let decimals: [(Int128, Int, String)] = [
        (12345, 2, "123.45"),
        (-5, 3, "-0.005"),
        (5, 3, "0.005"),
        (0, 2, "0.00"),
        (-120, 1, "-12.0"),
        (7, 0, "7"),
        (12, -2, "1200"),
        (-12, -1, "-120"),
        (123, 3, "0.123"),
        (Int128.min, 38, "-1.70141183460469231731687303715884105728"),
        (Int128.max, 0, "170141183460469231731687303715884105727"),
    ]

    @Test("decimal text has exactly `scale` fraction digits", arguments: decimals)
    func decimal(unscaled: Int128, scale: Int, text: String) {
        #expect(decimalText(unscaled: unscaled, scale: scale) == text)
    }

    @Test("hex text is lowercase, two digits a byte")
    func hex() {
        #expect(hexText([UInt8]()) == "")
        #expect(hexText([0x0F, 0xF0, 0x00, 0x9A]) == "0ff0009a")
        #expect(hexText([UInt8](0...255)).count == 512)
        #expect(hexText([UInt8](0...255)).hasSuffix("fdfeff"))
    }

    @Test("values compare by case and payload, not numerically")
    func equality() {
        #expect(Value.decimal(unscaled: 10, scale: 1) != .decimal(unscaled: 1, scale: 0))
        #expect(Value.int(1) != .double(1))
        #expect(Value.string("a") != .json("a"))
        #expect(Value.list([.int(1), .null]) == .list([.int(1), .null]))
        #expect(Value.double(.nan) != .double(.nan), "NaN equals nothing, itself included")
    }
}
