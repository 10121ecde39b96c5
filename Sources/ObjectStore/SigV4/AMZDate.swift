/// The two date forms SigV4 uses, computed from epoch seconds in UTC without Foundation.
struct AMZDate: Sendable, Equatable {
    /// `yyyyMMdd'T'HHmmss'Z'`
    let timestamp: String
    /// `yyyyMMdd`
    let day: String

    init(epochSeconds: Int64) {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let seconds = epochSeconds - days * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        day = "\(year)\(two(month))\(two(dayOfMonth))"
        timestamp = day + "T" + two(seconds / 3600) + two(seconds / 60 % 60) + two(seconds % 60) + "Z"
    }

    /// Parses `yyyy-MM-ddTHH:mm:ssZ` (the test vectors' form).
    init?(iso8601 text: String) {
        let digits = text.filter(\.isNumber)
        guard digits.count == 14, let year = Int64(digits.prefix(4)),
              let month = Int64(digits.dropFirst(4).prefix(2)), let dayOfMonth = Int64(digits.dropFirst(6).prefix(2)),
              let hour = Int64(digits.dropFirst(8).prefix(2)), let minute = Int64(digits.dropFirst(10).prefix(2)),
              let second = Int64(digits.dropFirst(12).prefix(2)) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + dayOfMonth - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        self.init(epochSeconds: days * 86_400 + hour * 3600 + minute * 60 + second)
    }
}
