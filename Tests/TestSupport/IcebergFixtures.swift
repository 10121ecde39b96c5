import Foundation
import Iceberg

/// The committed pyiceberg tables (Tests/Fixtures/iceberg): their metadata names files under
/// /tmp/lakeingest-iceberg/warehouse, so the committed tree is installed there first.
public enum IcebergFixtures {
    public static let root = Repository.fixtures + "/iceberg"

    public static let installed: String = {
        let target = "/tmp/lakeingest-iceberg/warehouse"
        let fm = FileManager.default
        let source = root + "/warehouse"
        if !fm.fileExists(atPath: target + "/ROOT") {
            let staging = "/tmp/lakeingest-iceberg/.install-\(getpid())"
            try? fm.createDirectory(atPath: "/tmp/lakeingest-iceberg", withIntermediateDirectories: true)
            try? fm.removeItem(atPath: staging)
            try? fm.copyItem(atPath: source, toPath: staging)
            if rename(staging, target) != 0 { try? fm.removeItem(atPath: staging) }
        }
        return target
    }()

    public static func tableLocation(_ name: String) -> String { "file://" + installed + "/sales/" + name }

    public static func expected(_ table: String) throws -> [String: Any] {
        try JSONFixtures.load(root + "/expected/\(table).json") as! [String: Any]
    }

    /// The snapshots of the expectation, oldest first.
    public static func snapshots(_ table: String) throws -> [[String: Any]] {
        try expected(table)["snapshots"] as! [[String: Any]]
    }

    public static func metadata(_ table: String) async throws -> TableMetadata {
        let location = try expected(table)["metadataLocation"] as! String
        _ = installed
        return try TableMetadata.parse(try await FileIO.local.read(location), source: location)
    }
}
