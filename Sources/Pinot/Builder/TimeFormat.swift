import Columnar

/// A date-time field's `format` (Pinot's `DateTimeFormatSpec`): `size:UNIT:EPOCH`,
/// `size:UNIT:TIMESTAMP`, `size:UNIT:SIMPLE_DATE_FORMAT:pattern`, the pipe forms
/// `EPOCH|UNIT[|size]`, `TIMESTAMP`, `SIMPLE_DATE_FORMAT|pattern`. Used to convert time values
/// to milliseconds for the 1971–2071 check, and timestamp columns into the field's unit.
struct TimeFormat: Sendable, Equatable {
    enum Unit: String, Sendable, CaseIterable {
        case nanoseconds = "NANOSECONDS", microseconds = "MICROSECONDS", milliseconds = "MILLISECONDS"
        case seconds = "SECONDS", minutes = "MINUTES", hours = "HOURS", days = "DAYS"

        var nanos: Int128 {
            switch self {
            case .nanoseconds: 1
            case .microseconds: 1000
            case .milliseconds: 1_000_000
            case .seconds: 1_000_000_000
            case .minutes: 60_000_000_000
            case .hours: 3_600_000_000_000
            case .days: 86_400_000_000_000
            }
        }
    }

    enum Kind: Sendable, Equatable {
        /// `size` units since the epoch per value.
        case epoch(unit: Unit, size: Int)
        /// Milliseconds since the epoch (Pinot's TIMESTAMP).
        case timestamp
        /// Text dates; not range-checked here.
        case simpleDate
    }

    let kind: Kind

    /// Parses `text`; nil when it is no format Pinot knows.
    init?(_ text: String) {
        let upper = text.uppercased()
        if upper == "TIMESTAMP" { kind = .timestamp; return }
        if upper.contains("|") {
            let parts = upper.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            switch parts[0] {
            case "EPOCH":
                guard parts.count >= 2, parts.count <= 3, let unit = Unit(rawValue: parts[1]) else { return nil }
                let size = parts.count == 3 ? Int(parts[2]) : 1
                guard let size, size > 0 else { return nil }
                kind = .epoch(unit: unit, size: size)
            case "TIMESTAMP": kind = .timestamp
            case "SIMPLE_DATE_FORMAT": kind = .simpleDate
            default: return nil
            }
            return
        }
        let parts = upper.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, let size = Int(parts[0]), size > 0, let unit = Unit(rawValue: parts[1]) else { return nil }
        switch parts[2] {
        case "EPOCH": kind = .epoch(unit: unit, size: size)
        case "TIMESTAMP": kind = .timestamp
        case "SIMPLE_DATE_FORMAT": kind = .simpleDate
        default: return nil
        }
    }

    /// The unit written as `segment.time.unit`.
    var unitName: String {
        if case .epoch(let unit, _) = kind { return unit.rawValue }
        return "MILLISECONDS"
    }

    private var nanosPerValue: Int128? {
        switch kind {
        case .epoch(let unit, let size): unit.nanos * Int128(size)
        case .timestamp: 1_000_000
        case .simpleDate: nil
        }
    }

    /// A stored value as milliseconds since the epoch (floored); nil for text formats.
    func millis(_ value: Int64) -> Int128? {
        guard let nanos = nanosPerValue else { return nil }
        let total = Int128(value) * nanos
        let (quotient, remainder) = total.quotientAndRemainder(dividingBy: 1_000_000)
        return remainder < 0 ? quotient - 1 : quotient
    }

    /// The smallest stored value whose ``millis(_:)`` is at least `millis`, clamped to a LONG;
    /// nil for text formats. (`millis` is monotonic, so `v >= lowestValue(m)` iff `millis(v) >= m`.)
    func lowestValue(fromMillis millis: Int64) -> Int64? {
        guard let nanos = nanosPerValue else { return nil }
        let (quotient, remainder) = (Int128(millis) * 1_000_000).quotientAndRemainder(dividingBy: nanos)
        let ceiling = remainder > 0 ? quotient + 1 : quotient
        return Int64(clamping: ceiling)
    }

    /// A timestamp in `unit` since the epoch as a value of this format (floored); nil when it
    /// does not fit a LONG or the format is text.
    func value(_ timestamp: Int64, unit: TimestampUnit) -> Int64? {
        guard let nanos = nanosPerValue else { return nil }
        let total = Int128(timestamp) * Int128(1_000_000 / unit.perMillisecond)
        let (quotient, remainder) = total.quotientAndRemainder(dividingBy: nanos)
        return Int64(exactly: remainder < 0 ? quotient - 1 : quotient)
    }

    /// True when values are counts of `unit` (a timestamp column in that unit is stored as is).
    func counts(in unit: TimestampUnit) -> Bool { nanosPerValue == Int128(1_000_000 / unit.perMillisecond) }
}
