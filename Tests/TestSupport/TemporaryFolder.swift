import Foundation

/// A fresh folder under the system's temporary folder, removed with everything in it when the
/// object goes away. Keep the object alive while the folder is in use (Swift may end a lifetime
/// after its last use); ``withTemporaryFolder(_:_:)`` does that for a block.
public final class TemporaryFolder: Sendable {
    public let path: String

    /// Creates `<tmp>/lakeingest-<label>-<random>`.
    public init(_ label: String) throws {
        path = Self.uniquePath(label)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/name`.
    public func callAsFunction(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A new path `<tmp>/lakeingest-<label>-<random>` (not created).
    public static func uniquePath(_ label: String) -> String {
        NSTemporaryDirectory() + "lakeingest-\(label)-\(UInt32.random(in: 0...UInt32.max))"
    }
}

/// Runs `body` with the path of a fresh temporary folder, and removes the folder afterwards,
/// also when `body` throws.
public func withTemporaryFolder<R>(_ label: String, _ body: (String) throws -> R) throws -> R {
    let folder = try TemporaryFolder(label)
    return try withExtendedLifetime(folder) { try body(folder.path) }
}

/// Runs `body` with the path of a fresh temporary folder, and removes the folder afterwards,
/// also when `body` throws.
public func withTemporaryFolder<R>(_ label: String, isolation: isolated (any Actor)? = #isolation,
                                   _ body: (String) async throws -> R) async throws -> R {
    let folder = try TemporaryFolder(label)
    defer { withExtendedLifetime(folder) {} }
    return try await body(folder.path)
}
