import Columnar

/// Java's text forms, which Pinot writes into `metadata.properties` and uses for BIG_DECIMAL.
enum JavaText {
    /// Decimal number text as Java parses it into a number column: `[+-]? digits [. digits]
    /// [e [+-] digits]`. Swift's own parsers also take hex, `inf` and `nan`, which Java refuses.
    static func isDecimal(_ text: String) -> Bool {
        var scalars = Substring(text).utf8[...]
        if let first = scalars.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { scalars = scalars.dropFirst() }
        let isDigit = { (c: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) }
        let whole = scalars.prefix(while: isDigit)
        scalars = scalars.dropFirst(whole.count)
        var fraction = 0
        if scalars.first == UInt8(ascii: ".") {
            scalars = scalars.dropFirst()
            fraction = scalars.prefix(while: isDigit).count
            scalars = scalars.dropFirst(fraction)
        }
        guard whole.count + fraction > 0 else { return false }
        if let e = scalars.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { scalars = scalars.dropFirst() }
            let exponent = scalars.prefix(while: isDigit).count
            guard exponent > 0 else { return false }
            scalars = scalars.dropFirst(exponent)
        }
        return scalars.isEmpty
    }

    /// `Float.toString` / `Double.toString`: shortest round-trip digits; plain notation for
    /// 10^-3 ≤ |x| < 10^7 (always with a fractional part), else `d.dddE±n`.
    static func floating<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let (negative, digits, exponent) = decompose(value.description)
        let sign = negative ? "-" : ""
        let magnitude = abs(Double(value))
        if magnitude >= 1e-3 && magnitude < 1e7 {
            // exponent: value = 0.d1d2... × 10^exponent
            if exponent <= 0 {
                return sign + "0." + String(repeating: "0", count: -exponent) + digits
            }
            if digits.count <= exponent {
                return sign + digits + String(repeating: "0", count: exponent - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: exponent)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let fraction = digits.count > 1 ? String(digits.dropFirst()) : "0"
        return sign + String(digits.first!) + "." + fraction + "E" + String(exponent - 1)
    }

    /// Swift's shortest description → (negative, significant digits without leading/trailing
    /// zeros, exponent e such that value = 0.digits × 10^e).
    private static func decompose(_ text: String) -> (Bool, String, Int) {
        var s = Substring(text)
        let negative = s.hasPrefix("-")
        if negative { s = s.dropFirst() }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(s[s.index(after: e)...]) ?? 0
            s = s[..<e]
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        let integer = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = integer + fraction
        var pointPosition = integer.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (negative, digits, pointPosition)
    }

    /// `BigDecimal.toString`: plain when the scale is ≥ 0 and the adjusted exponent ≥ −6, else
    /// scientific (`1E+10`, `1.5E-7`).
    static func bigDecimal(unscaled: Int128, scale: Int) -> String {
        let negative = unscaled < 0
        let digits = String(unscaled.magnitude)
        let adjusted = -scale + (digits.count - 1)
        if scale >= 0 && adjusted >= -6 { return decimalText(unscaled: unscaled, scale: scale) }
        let mantissa = digits.count > 1 ? String(digits.first!) + "." + digits.dropFirst() : digits
        return (negative ? "-" : "") + mantissa + "E" + (adjusted >= 0 ? "+" : "") + String(adjusted)
    }

    /// `BigDecimal.stripTrailingZeros` (zero becomes 0 with scale 0).
    static func stripTrailingZeros(unscaled: Int128, scale: Int) -> (Int128, Int) {
        if unscaled == 0 { return (0, 0) }
        var value = unscaled
        var scale = scale
        while value % 10 == 0 {
            value /= 10
            scale -= 1
        }
        return (value, scale)
    }

    /// `BigInteger.toByteArray`: minimal two's-complement big-endian bytes.
    static func twosComplement(_ value: Int128) -> [UInt8] {
        var bytes: [UInt8] = []
        var v = value
        repeat {
            bytes.insert(UInt8(truncatingIfNeeded: v), at: 0)
            v >>= 8
        } while !(v == 0 && bytes[0] & 0x80 == 0) && !(v == -1 && bytes[0] & 0x80 != 0)
        return bytes
    }

    /// Pinot's BIG_DECIMAL bytes: int16 scale, then the unscaled value (spec §5.1).
    static func bigDecimalBytes(unscaled: Int128, scale: Int) -> [UInt8] {
        let s = UInt16(bitPattern: Int16(truncatingIfNeeded: scale))
        return [UInt8(s >> 8), UInt8(s & 0xff)] + twosComplement(unscaled)
    }
}
