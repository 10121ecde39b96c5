import Foundation

/// Reading the expectations of TestSupport's `IcebergFixtures`.
extension Dictionary where Key == String, Value == Any {
    func int64(_ key: String) -> Int64? { (self[key] as? NSNumber)?.int64Value }
    func strings(_ key: String) -> [String] { (self[key] as? [String]) ?? [] }
}
