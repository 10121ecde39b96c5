import Foundation

/// Expectations written as JSON by the fixture scripts.
public enum JSONFixtures {
    /// The JSON document in the file at `path`.
    public static func load(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The JSON object in the file at `path`.
    public static func object(_ path: String) throws -> [String: Any] {
        guard let object = try load(path) as? [String: Any] else { throw FixtureError(message: "\(path) is not a JSON object") }
        return object
    }

    /// One JSON object per line (JSON Lines).
    public static func lines(_ bytes: [UInt8]) throws -> [[String: Any]] {
        try bytes.split(separator: UInt8(ascii: "\n")).map { try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
    }

    /// The bytes of the file at `path`.
    public static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// A fixture that could not be made or read; its message says which and why.
public struct FixtureError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
