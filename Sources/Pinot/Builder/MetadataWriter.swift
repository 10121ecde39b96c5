/// Writing `metadata.properties` as Pinot (Commons Configuration) does (spec §2.1): ASCII only,
/// backslash escapes, `\uXXXX` for everything outside U+0020–U+007E, `\,` for commas in single
/// values, and for STRING min/max the NUL guards around commas and edge spaces.
struct MetadataWriter {
    private(set) var lines: [String] = []

    mutating func add(_ key: String, _ value: String) {
        lines.append(Self.escapeKey(key) + " = " + Self.escapeValue(value))
    }

    /// A list value: items joined with commas (each item's own commas escaped).
    mutating func addList(_ key: String, _ items: [String]) {
        guard !items.isEmpty else { return }
        lines.append(Self.escapeKey(key) + " = " + items.map(Self.escapeValue).joined(separator: ","))
    }

    /// Appends another writer's lines (a column's keys, built on their own).
    mutating func append(_ other: MetadataWriter) { lines += other.lines }

    var text: String { lines.joined(separator: "\n") + "\n" }

    /// A key as `java.util.Properties.store` escapes it (and commons-configuration reads it):
    /// separators, blanks, comment marks and backslashes behind a backslash, control characters
    /// as escapes.
    static func escapeKey(_ key: String) -> String {
        var out = ""
        for c in key.unicodeScalars {
            switch c {
            case "=", ":", " ", "\\", "#", "!": out += "\\"; out.unicodeScalars.append(c)
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\u{0C}": out += "\\f"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func escapeValue(_ value: String) -> String {
        var out = ""
        for unit in value.utf16 {
            switch unit {
            case 0x5C: out += "\\\\"
            case 0x08: out += "\\b"
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0C: out += "\\f"
            case 0x0D: out += "\\r"
            case 0x2C: out += "\\,"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out
    }

    /// Pinot's transformation of STRING values before writing (spec §2.1): commas become two
    /// NULs, a leading space gets a NUL before it, a trailing space a NUL after it.
    static func guardString(_ value: String) -> String {
        var text = value.split(separator: ",", omittingEmptySubsequences: false).joined(separator: "\u{0}\u{0}")
        if text.hasPrefix(" ") { text = "\u{0}" + text }
        if text.hasSuffix(" ") { text += "\u{0}" }
        return text
    }
}

