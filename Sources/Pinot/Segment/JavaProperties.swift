/// Java properties text (as Apache Commons Configuration writes Pinot's `metadata.properties` and
/// `index_map`): `key = value` lines, `#`/`!` comments, backslash escapes (`\t \n \r \f \b`,
/// `\uXXXX`, any other escaped character stands for itself), continuation lines. Pinot's list
/// values (`a,b,c`) are kept as one string: callers split where a key holds a list, because an
/// escaped `\,` inside a value must stay a comma.
public struct JavaProperties: Sendable {
    /// Values in file order; a repeated key keeps its last value.
    public private(set) var values: [String: String] = [:]
    /// Values whose text had an escaped comma at this position cannot be split on it.
    private var rawValues: [String: String] = [:]

    public init(text: String) {
        var pending = ""
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            var current = pending + line.drop(while: { $0 == " " || $0 == "\t" || $0 == "\u{0C}" })
            pending = ""
            if current.isEmpty || (pending.isEmpty && (current.hasPrefix("#") || current.hasPrefix("!"))) { continue }
            // An odd number of trailing backslashes continues the line.
            let trailing = current.reversed().prefix(while: { $0 == "\\" }).count
            if trailing % 2 == 1 {
                current.removeLast()
                pending = current
                continue
            }
            add(current)
        }
        if !pending.isEmpty { add(pending) }
    }

    private mutating func add(_ line: String) {
        var key = ""
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if c == "\\" {
                let next = line.index(after: index)
                if next < line.endIndex { key.append(line[next]); index = line.index(after: next); continue }
            }
            if c == "=" || c == ":" || c == " " || c == "\t" { break }
            key.append(c)
            index = line.index(after: index)
        }
        var rest = line[index...].drop(while: { $0 == " " || $0 == "\t" })
        if let first = rest.first, first == "=" || first == ":" { rest = rest.dropFirst().drop(while: { $0 == " " || $0 == "\t" }) }
        rawValues[key] = String(rest)
        values[key] = Self.unescape(rest, keepCommaEscapes: false)
    }

    /// The value of a key holding a comma-separated list (escaped commas stay in their item).
    public func list(_ key: String) -> [String] {
        guard let raw = rawValues[key], !raw.isEmpty else { return [] }
        var items: [String] = []
        var current = ""
        var escaped = false
        for c in raw {
            if escaped { current.append("\\"); current.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "," { items.append(Self.unescape(current[...], keepCommaEscapes: false)); current = ""; continue }
            current.append(c)
        }
        items.append(Self.unescape(current[...], keepCommaEscapes: false))
        return items
    }

    public subscript(key: String) -> String? { values[key] }

    static func unescape(_ text: Substring, keepCommaEscapes: Bool) -> String {
        guard text.contains("\\") else { return String(text) }
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        var pendingHigh: UInt32?
        while let c = scalars.next() {
            guard c == "\\" else { out.append(c); continue }
            guard let e = scalars.next() else { break }
            switch e {
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "f": out.append("\u{0C}")
            case "b": out.append("\u{08}")
            case "u":
                var hex = ""
                for _ in 0..<4 { if let h = scalars.next() { hex.unicodeScalars.append(h) } }
                guard let value = UInt32(hex, radix: 16) else { continue }
                if (0xD800..<0xDC00).contains(value) { pendingHigh = value; continue }
                if (0xDC00..<0xE000).contains(value), let high = pendingHigh {
                    pendingHigh = nil
                    if let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)) { out.append(scalar) }
                    continue
                }
                if let scalar = Unicode.Scalar(value) { out.append(scalar) }
            case ",": if keepCommaEscapes { out.append("\\") }; out.append(",")
            default: out.append(e)
            }
        }
        return String(out)
    }
}
