import Foundation

/// Timestamps with sub-millisecond digits (`Tests/Fixtures/time/`): µs, ns and INT96 columns
/// from pyarrow, DuckDB and fastparquet, each with the raw values pyarrow reads.
public enum TimeFixtures {
    public static let directory = Repository.fixtures + "/time"
    public static let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".parquet") }.sorted()

    public struct Expected: Sendable {
        public var unit: String
        public var values: [Int64?]
    }

    /// The columns of `file`'s expectation (`<file>.json`), by name.
    public static func expected(_ file: String) throws -> [String: Expected] {
        let json = try JSONFixtures.object(directory + "/" + file + ".json")
        var result: [String: Expected] = [:]
        for (name, column) in json["columns"] as! [String: [String: Any]] {
            let values = (column["values"] as! [Any]).map { ($0 as? NSNumber)?.int64Value }
            result[name] = Expected(unit: column["unit"] as! String, values: values)
        }
        return result
    }

    /// The Pinot format of a LONG field in `unit` ("us" or "ns").
    public static func format(_ unit: String) -> String { unit == "ns" ? "1:NANOSECONDS:EPOCH" : "1:MICROSECONDS:EPOCH" }

    /// `value / divisor`, rounded towards minus infinity.
    public static func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor != 0 && value < 0 ? quotient - 1 : quotient
    }
}
