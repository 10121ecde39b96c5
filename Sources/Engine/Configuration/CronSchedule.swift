import Foundation

/// A five-field cron expression (minute, hour, day of month, month, day of week), in UTC: `*`,
/// numbers, ranges `a-b`, lists `a,b`, steps `*/n` and `a-b/n`; day of week 0–7 (0 and 7 are
/// Sunday). As in cron, when both day fields are restricted a day matching either runs.
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    public struct Failure: Error, Sendable { public let message: String }

    public let expression: String
    private let minutes: Set<Int>
    private let hours: Set<Int>
    private let daysOfMonth: Set<Int>
    private let months: Set<Int>
    private let daysOfWeek: Set<Int>
    private let dayOfMonthRestricted: Bool
    private let dayOfWeekRestricted: Bool

    public init(_ expression: String) throws(Failure) {
        self.expression = expression
        let fields = expression.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw Failure(message: "\"\(expression)\" is not a cron expression of five fields (minute hour day-of-month month day-of-week)")
        }
        minutes = try Self.field(fields[0], 0...59, "minute")
        hours = try Self.field(fields[1], 0...23, "hour")
        daysOfMonth = try Self.field(fields[2], 1...31, "day of month")
        months = try Self.field(fields[3], 1...12, "month")
        daysOfWeek = Set(try Self.field(fields[4], 0...7, "day of week").map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    public var description: String { expression }

    private static func field(_ text: String, _ range: ClosedRange<Int>, _ name: String) throws(Failure) -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw Failure(message: "bad \(name) field \"\(text)\"") }
            var step = 1
            if pieces.count == 2 {
                guard let n = Int(pieces[1]), n > 0 else { throw Failure(message: "bad step in \(name) field \"\(text)\"") }
                step = n
            }
            let span: ClosedRange<Int>
            if pieces[0] == "*" {
                span = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                guard let low = Int(pieces[0][..<dash]), let high = Int(pieces[0][pieces[0].index(after: dash)...]), low <= high,
                      range.contains(low), range.contains(high) else {
                    throw Failure(message: "bad range in \(name) field \"\(text)\" (\(range.lowerBound)–\(range.upperBound))")
                }
                span = low...high
            } else {
                guard let value = Int(pieces[0]), range.contains(value) else {
                    throw Failure(message: "\(name) \"\(pieces[0])\" is outside \(range.lowerBound)–\(range.upperBound)")
                }
                span = pieces.count == 2 ? value...range.upperBound : value...value
            }
            values.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        return values
    }

    /// The first minute strictly after `date` that the schedule names (nil if none within 5 years).
    public func next(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
        var candidate = Date(timeIntervalSince1970: start)
        let limit = date.addingTimeInterval(5 * 366 * 86_400)
        while candidate < limit {
            let parts = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: candidate)
            guard let month = parts.month, months.contains(month) else {
                candidate = calendar.date(byAdding: .month, value: 1, to: calendar.date(from: calendar.dateComponents([.year, .month], from: candidate))!)!
                continue
            }
            let day = parts.day!, weekday = parts.weekday! - 1
            let dayMatches: Bool
            switch (dayOfMonthRestricted, dayOfWeekRestricted) {
            case (true, true): dayMatches = daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
            case (true, false): dayMatches = daysOfMonth.contains(day)
            case (false, true): dayMatches = daysOfWeek.contains(weekday)
            case (false, false): dayMatches = true
            }
            guard dayMatches else {
                candidate = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: candidate))!
                continue
            }
            guard hours.contains(parts.hour!) else {
                candidate = candidate.addingTimeInterval(Double(60 - parts.minute!) * 60)
                continue
            }
            if minutes.contains(parts.minute!) { return candidate }
            candidate = candidate.addingTimeInterval(60)
        }
        return nil
    }

    public static func == (a: CronSchedule, b: CronSchedule) -> Bool { a.expression == b.expression }
}
