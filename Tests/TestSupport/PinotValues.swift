import Columnar
import Foundation

/// The Pinot segment corpus: segments Pinot itself wrote, with the rows its reader returned.
public enum PinotSegmentCorpus {
    /// `../shared/corpus/pinot-segments`.
    public static let root = Repository.sharedCorpus + "/pinot-segments"
    public static let present = FileManager.default.fileExists(atPath: root)
}

/// A segment value against Pinot's printed value: numbers semantically (FLOAT at float32),
/// BIG_DECIMAL numerically, BYTES as hex, NaN and infinities as strings.
public func matches(_ value: Value, _ expected: Any) -> Bool {
    switch value {
    case .null: return expected is NSNull
    case .boolean(let b): return (expected as? Bool) == b
    case .int(let i): return (expected as? NSNumber).map { $0.int64Value == i } ?? false
    case .float(let f):
        if let text = expected as? String { return text == special(Double(f)) }
        return (expected as? NSNumber).map { Float($0.doubleValue) == f } ?? false
    case .double(let d):
        if let text = expected as? String { return text == special(d) }
        // Foundation's JSON parser on Linux can be off in the last bit: allow a few ulps.
        return (expected as? NSNumber).map { abs($0.doubleValue - d) <= max(abs(d), abs($0.doubleValue)) * 1e-15 } ?? false
    case .decimal(let unscaled, let scale):
        guard let text = expected as? String, let want = Decimal(string: text),
              let got = Decimal(string: decimalText(unscaled: unscaled, scale: scale)) else { return false }
        return want == got
    case .string(let s), .json(let s): return (expected as? String) == s
    case .bytes(let b): return (expected as? String) == hexText(b)
    case .list(let items):
        guard let array = expected as? [Any], array.count == items.count else { return false }
        return zip(items, array).allSatisfy { matches($0, $1) }
    }
}

private func special(_ value: Double) -> String? {
    value.isNaN ? "NaN" : value == .infinity ? "Infinity" : value == -.infinity ? "-Infinity" : nil
}
