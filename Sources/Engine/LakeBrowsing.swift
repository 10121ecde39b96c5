import Columnar
import ObjectStore

/// Browsing an S3 data lake before a task exists, as the onboarding's connection step does for
/// catalogs: the prefixes one level under the location, with what they hold, and a prefix's
/// Parquet files with their common schema.
public struct LakeBrowsing: Sendable {
    public let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// A folder one level under the location: every object beneath it, counted.
    public struct Prefix: Sendable, Equatable {
        /// The folder's name with a trailing `/` (`dt=2024-01-01/`), or a file's name for an
        /// object right at the location.
        public var name: String
        public var objects: Int
        public var bytes: Int
        /// Of those objects, the Parquet files that would be read.
        public var parquetFiles: Int
    }

    /// What a prefix holds: its Parquet files, their common schema (the union a task would
    /// derive) and what is not read.
    public struct Files: Sendable {
        public var location: String
        public var files: Int
        public var bytes: Int
        public var columns: [Field]
        /// Hive-style partition folders' columns among `columns`.
        public var partitionColumns: Set<String>
        /// What the union noticed (columns that appear in later files, widened types).
        public var notes: [String]
        public var skipped: Int
    }

    private var location: String {
        let location = connection.configuration.source.location ?? ""
        return location.hasSuffix("/") ? location : location + "/"
    }

    /// The prefixes one level under the location, in name order.
    public func prefixes() async throws -> [Prefix] {
        let location = self.location
        let parquet = Set(try await DataLakeListing.parquetFiles(at: location, io: connection.io).map(\.uri))
        var byName: [String: Prefix] = [:]
        for entry in try await connection.io.list(location) {
            let rest = entry.uri.dropFirst(location.count)
            let name = rest.firstIndex(of: "/").map { String(rest[...$0]) } ?? String(rest)
            var prefix = byName[name] ?? Prefix(name: name, objects: 0, bytes: 0, parquetFiles: 0)
            prefix.objects += 1
            prefix.bytes += entry.info.size
            if parquet.contains(entry.uri) { prefix.parquetFiles += 1 }
            byName[name] = prefix
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// The location's Parquet files and their common schema (every footer is read).
    public func files() async throws -> Files {
        let configuration = connection.configuration
        let location = self.location
        let listing = try await DataLakeListing.list(at: location, io: connection.io)
        guard !listing.parquet.isEmpty else { throw EngineError(.notFound, "no Parquet files under \(location)") }
        let footers = try await DataLakeSchema.footers(listing.parquet, io: connection.io, continueOnFileError: configuration.continueOnFileError)
        var union = LakeSchemaUnion()
        let notes = try DataLakeSchema.add(footers, to: &union, excluded: Set(configuration.schema.excludeColumns))
        let (fields, partitions) = try DataLakeSchema.fields(union, files: listing.parquet.map(\.uri), under: location)
        return Files(location: location, files: listing.parquet.count, bytes: listing.parquet.reduce(0) { $0 + $1.info.size },
                     columns: fields, partitionColumns: partitions, notes: notes + footers.compactMap(\.failure), skipped: listing.skipped.count)
    }
}
