import Columnar
import Foundation

/// One value as a segment stores it (after Pinot's value rules): numbers by their storage type,
/// everything variable-width as bytes (UTF-8 for STRING and JSON, Pinot's BIG_DECIMAL bytes).
enum StoredCell: Hashable, Sendable {
    case int(Int32)
    case long(Int64)
    /// Bit patterns, so that equal values hash equal (NaN and -0.0 never get here).
    case float(UInt32)
    case double(UInt64)
    case bytes([UInt8])
}

/// Pinot's value rules (DESIGN.md, "Pinot's value rules"; spec §7), turning a column model
/// `Value` into what the segment stores, or nil for null.
struct ValueRules {
    let spec: PinotFieldSpec

    var maxLength: Int { spec.maxLength ?? 512 }

    /// The stored form of a single value, or nil when the value counts as null.
    func stored(_ value: Value) throws(SegmentError) -> StoredCell? {
        switch (spec.dataType, value) {
        case (_, .null): return nil
        case (.int, _):
            guard let v = integer(value), let narrow = Int32(exactly: v) else { throw invalid(value) }
            return .int(narrow)
        case (.long, _), (.timestamp, _):
            guard let v = integer(value) else { throw invalid(value) }
            return .long(v)
        case (.boolean, .boolean(let b)): return .int(b ? 1 : 0)
        case (.boolean, .int(let i)): return .int(i != 0 ? 1 : 0)
        case (.boolean, .string(let s)): return .int(s.lowercased() == "true" || s == "1" ? 1 : 0)
        case (.float, _):
            guard let v = floating(value) else { throw invalid(value) }
            if v.isNaN { return nil }
            return .float(Float(v == 0 ? 0 : v).bitPattern)
        case (.double, _):
            guard let v = floating(value) else { throw invalid(value) }
            if v.isNaN { return nil }
            return .double((v == 0 ? 0 : v).bitPattern)
        case (.string, _):
            guard let text = text(value) else { throw invalid(value) }
            let units = Array(text.utf16)
            let cut = units.count > maxLength ? String(decoding: units.prefix(maxLength), as: UTF16.self) : text
            return .bytes(Array(cut.utf8))
        case (.json, _):
            guard let text = text(value) else { throw invalid(value) }
            return .bytes(Array(CompactJSON.normalize(text).utf8))
        case (.bytes, .bytes(let b)): return .bytes(b)
        case (.bytes, .string(let hex)):
            guard let bytes = Self.hexBytes(hex) else { throw invalid(value) }
            return .bytes(bytes)
        case (.bigDecimal, _):
            guard let (unscaled, scale) = decimal(value) else { throw invalid(value) }
            let (u, s) = JavaText.stripTrailingZeros(unscaled: unscaled, scale: scale)
            return .bytes(JavaText.bigDecimalBytes(unscaled: u, scale: s))
        default:
            throw invalid(value)
        }
    }

    /// The default null value's stored form (spec §7, or the schema's `defaultNullValue`).
    func defaultValue() throws(SegmentError) -> StoredCell {
        if let text = spec.defaultNullValue {
            let unquoted = text.hasPrefix("\"") && text.hasSuffix("\"") && text.count >= 2 ? String(text.dropFirst().dropLast()) : text
            let value: Value
            switch spec.dataType {
            case .int, .long, .timestamp: value = Int64(unquoted).map { .int($0) } ?? .string(unquoted)
            case .float, .double: value = Double(unquoted).map { .double($0) } ?? .string(unquoted)
            case .boolean: value = .string(unquoted)
            default: value = .string(unquoted)
            }
            if let cell = try stored(value) { return cell }
        }
        let metric = spec.role == .metric
        switch spec.dataType {
        case .int: return .int(metric ? 0 : Int32.min)
        case .long: return .long(metric ? 0 : Int64.min)
        case .float: return .float((metric ? Float(0) : -Float.infinity).bitPattern)
        case .double: return .double((metric ? Double(0) : -Double.infinity).bitPattern)
        case .boolean: return .int(0)
        case .timestamp: return .long(0)
        case .string, .json: return .bytes(Array("null".utf8))
        case .bytes: return .bytes([])
        case .bigDecimal: return .bytes(JavaText.bigDecimalBytes(unscaled: 0, scale: 0))
        }
    }

    private func invalid(_ value: Value) -> SegmentError {
        SegmentError(.invalidValue, "\(value.jsonText) is not a valid \(spec.dataType.rawValue)", column: spec.name)
    }

    private func integer(_ value: Value) -> Int64? {
        switch value {
        case .int(let i): return i
        case .boolean(let b): return b ? 1 : 0
        case .double(let d): return d.rounded(.towardZero) == d && abs(d) < 9.2e18 ? Int64(d) : nil
        case .float(let f): return f.rounded(.towardZero) == f && abs(f) < 9.2e18 ? Int64(f) : nil
        case .string(let s): return JavaText.isDecimal(s) ? Int64(s) : nil
        case .decimal(let u, let s) where s == 0: return Int64(exactly: u)
        default: return nil
        }
    }

    private func floating(_ value: Value) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .float(let f): return Double(f)
        case .double(let d): return d
        case .decimal(let u, let s): return Double(decimalText(unscaled: u, scale: s))
        case .string(let s):
            switch s {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default: return JavaText.isDecimal(s) ? Double(s) : nil
            }
        default: return nil
        }
    }

    private func text(_ value: Value) -> String? {
        switch value {
        case .string(let s), .json(let s): return s
        case .int(let i): return String(i)
        case .boolean(let b): return b ? "true" : "false"
        case .double(let d): return JavaText.floating(d)
        case .float(let f): return JavaText.floating(f)
        case .decimal(let u, let s): return JavaText.bigDecimal(unscaled: u, scale: s)
        case .bytes(let b): return hexText(b)
        default: return nil
        }
    }

    private func decimal(_ value: Value) -> (Int128, Int)? {
        switch value {
        case .decimal(let u, let s): return (u, s)
        case .int(let i): return (Int128(i), 0)
        case .string(let s): return Self.parseDecimal(s)
        case .double(let d) where d.isFinite: return Self.parseDecimal(JavaText.floating(d))
        default: return nil
        }
    }

    /// Parses `-123.450`, `1E+10`, `1.5e-7` exactly.
    static func parseDecimal(_ text: String) -> (Int128, Int)? {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(s[s.index(after: e)...]) else { return nil }
            exponent = value
            s = s[..<e]
        }
        let negative = s.hasPrefix("-")
        if negative || s.hasPrefix("+") { s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !(parts[0].isEmpty && (parts.count == 1 || parts[1].isEmpty)) else { return nil }
        let digits = String(parts[0]) + (parts.count == 2 ? String(parts[1]) : "")
        guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), digits.count <= 38,
              let magnitude = Int128(digits.isEmpty ? "0" : digits) else { return nil }
        let scale = (parts.count == 2 ? parts[1].count : 0) - exponent
        return (negative ? -magnitude : magnitude, scale)
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let byte = UInt8(String(decoding: chars[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
        }
        return out
    }
}

/// Compact JSON text with object keys sorted, number literals kept as written: how Pinot's JSON
/// columns store a value (Jackson re-serialisation of a parsed tree).
enum CompactJSON {
    static func normalize(_ text: String) -> String {
        var parser = Parser(bytes: Array(text.utf8))
        guard let node = try? parser.value(), parser.atEnd() else { return text }
        var out = ""
        node.write(into: &out)
        return out
    }

    indirect enum Node {
        case literal(String)
        case string(String)
        case array([Node])
        case object([(String, Node)])

        func write(into out: inout String) {
            switch self {
            case .literal(let text): out += text
            case .string(let s): writeJSONString(s, into: &out)
            case .array(let items):
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += "," }
                    item.write(into: &out)
                }
                out += "]"
            case .object(let pairs):
                out += "{"
                for (i, (key, value)) in pairs.sorted(by: { $0.0 < $1.0 }).enumerated() {
                    if i > 0 { out += "," }
                    writeJSONString(key, into: &out)
                    out += ":"
                    value.write(into: &out)
                }
                out += "}"
            }
        }
    }

    /// Where the text stops being JSON (a byte offset).
    struct Failure: Error {
        var position: Int
    }

    struct Parser {
        let bytes: [UInt8]
        var position = 0

        /// RFC 8259's number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
        static func isNumber(_ text: ArraySlice<UInt8>) -> Bool {
            var i = text.startIndex
            func digits() -> Int {
                let start = i
                while i < text.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[i]) { i += 1 }
                return i - start
            }
            if i < text.endIndex, text[i] == UInt8(ascii: "-") { i += 1 }
            guard i < text.endIndex else { return false }
            if text[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { return false }
            if i < text.endIndex, text[i] == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { return false }
            }
            if i < text.endIndex, text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E") {
                i += 1
                if i < text.endIndex, text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { return false }
            }
            return i == text.endIndex
        }

        mutating func skip() { while position < bytes.count, [0x20, 0x0a, 0x0d, 0x09].contains(bytes[position]) { position += 1 } }
        mutating func atEnd() -> Bool { skip(); return position == bytes.count }

        mutating func value() throws -> Node {
            skip()
            guard position < bytes.count else { throw Failure(position: position) }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                var pairs: [(String, Node)] = []
                skip()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(pairs) }
                while true {
                    skip()
                    guard case .string(let key) = try value() else { throw Failure(position: position) }
                    skip()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw Failure(position: position) }
                    position += 1
                    pairs.append((key, try value()))
                    skip()
                    guard position < bytes.count else { throw Failure(position: position) }
                    if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                    guard bytes[position] == UInt8(ascii: "}") else { throw Failure(position: position) }
                    position += 1
                    return .object(pairs)
                }
            case UInt8(ascii: "["):
                position += 1
                var items: [Node] = []
                skip()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skip()
                    guard position < bytes.count else { throw Failure(position: position) }
                    if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                    guard bytes[position] == UInt8(ascii: "]") else { throw Failure(position: position) }
                    position += 1
                    return .array(items)
                }
            case UInt8(ascii: "\""):
                let start = position
                position += 1
                while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
                    position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard position < bytes.count else { throw Failure(position: position) }
                position += 1
                let literal = String(decoding: bytes[start..<position], as: UTF8.self)
                guard let decoded = try? JSONSerialization.jsonObject(with: Data(("[" + literal + "]").utf8)) as? [String],
                      let text = decoded.first else { throw Failure(position: position) }
                return .string(text)
            default:
                let start = position
                while position < bytes.count, !",]} \n\r\t".utf8.contains(bytes[position]) { position += 1 }
                let literal = bytes[start..<position]
                guard ["null", "true", "false"].contains(where: { literal.elementsEqual($0.utf8) }) || Self.isNumber(literal) else { throw Failure(position: start) }
                return .literal(String(decoding: literal, as: UTF8.self))
            }
        }
    }
}
