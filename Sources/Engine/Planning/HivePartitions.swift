import Columnar
import Foundation

/// Hive-style partition folders of an S3 data lake (`dt=2024-01-01/region=eu/part-0.parquet`,
/// as Spark and Hive write them): each `name=value` folder between the location and the file is
/// a column, as Iceberg partition columns are. Values are percent-decoded as Spark escapes them;
/// `__HIVE_DEFAULT_PARTITION__` is null. A column is typed from all its values: LONG when every
/// value is an integer, DOUBLE when every value is a number, STRING otherwise.
enum HivePartitions {
    static let nullValue = "__HIVE_DEFAULT_PARTITION__"

    /// The `name=value` folders of `uri` below `location`, outermost first.
    static func values(of uri: String, under location: String) -> [(name: String, text: String?)] {
        let prefix = location.hasSuffix("/") ? location : location + "/"
        guard uri.hasPrefix(prefix) else { return [] }
        let folders = uri.dropFirst(prefix.count).split(separator: "/").dropLast()
        return folders.compactMap { folder in
            guard let equals = folder.firstIndex(of: "="), equals != folder.startIndex else { return nil }
            let name = String(folder[..<equals])
            let raw = String(folder[folder.index(after: equals)...])
            let text = raw.removingPercentEncoding ?? raw
            return (name, text == nullValue ? nil : text)
        }
    }

    /// The partition columns of `uris`, typed from their values, leaving out names the files
    /// themselves have as columns.
    static func fields(_ uris: [String], under location: String, fileColumns: Set<String>) -> [Field] {
        var order: [String] = []
        var texts: [String: [String]] = [:]
        for uri in uris {
            for (name, text) in values(of: uri, under: location) where !fileColumns.contains(name) {
                if texts[name] == nil { order.append(name) }
                texts[name, default: []] += text.map { [$0] } ?? []
            }
        }
        return order.map { name in Field(name: name, type: type(of: texts[name] ?? []), nullable: true) }
    }

    static func type(of texts: [String]) -> DataType {
        if !texts.isEmpty, texts.allSatisfy({ Int64($0) != nil }) { return .int64 }
        if !texts.isEmpty, texts.allSatisfy({ Double($0) != nil }) { return .float64 }
        return .string
    }

    /// The value of `text` in a column of `type`.
    static func value(_ text: String?, type: DataType) -> Value {
        guard let text else { return .null }
        switch type {
        case .int64: return Int64(text).map { .int($0) } ?? .null
        case .float64: return Double(text).map { .double($0) } ?? .null
        default: return .string(text)
        }
    }
}
