extension Value {
    /// Appends this value as compact JSON, as `parquet cat` prints it and as nested values are
    /// rendered into JSON columns: non-finite floats as the strings "NaN", "Infinity" and
    /// "-Infinity", decimals as strings with their scale, bytes as lowercase hex strings.
    public func writeJSON(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .boolean(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let f): writeFloatingPoint(f, into: &out)
        case .double(let d): writeFloatingPoint(d, into: &out)
        case .decimal(let unscaled, let scale): writeJSONString(decimalText(unscaled: unscaled, scale: scale), into: &out)
        case .string(let s), .json(let s): writeJSONString(s, into: &out)
        case .bytes(let bytes): writeJSONString(hexText(bytes), into: &out)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.writeJSON(into: &out)
            }
            out += "]"
        }
    }

    public var jsonText: String {
        var out = ""
        writeJSON(into: &out)
        return out
    }
}

private func writeFloatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, into out: inout String) {
    if value.isNaN {
        out += "\"NaN\""
    } else if value.isInfinite {
        out += value < 0 ? "\"-Infinity\"" : "\"Infinity\""
    } else {
        out += value.description
    }
}

/// Lowercase hexadecimal text of `bytes`.
public func hexText<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Appends `text` as a JSON string literal (RFC 8259 escaping).
public func writeJSONString(_ text: String, into out: inout String) {
    out += "\""
    var pending = Substring.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out.unicodeScalars.append(contentsOf: pending); pending.removeAll(); out += "\\\""
        case "\\": out.unicodeScalars.append(contentsOf: pending); pending.removeAll(); out += "\\\\"
        case "\n": out.unicodeScalars.append(contentsOf: pending); pending.removeAll(); out += "\\n"
        case "\r": out.unicodeScalars.append(contentsOf: pending); pending.removeAll(); out += "\\r"
        case "\t": out.unicodeScalars.append(contentsOf: pending); pending.removeAll(); out += "\\t"
        case _ where scalar.value < 0x20:
            out.unicodeScalars.append(contentsOf: pending)
            pending.removeAll()
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: pending.append(scalar)
        }
    }
    out.unicodeScalars.append(contentsOf: pending)
    out += "\""
}
