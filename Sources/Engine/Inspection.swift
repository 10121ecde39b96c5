import Columnar
import Foundation
import Iceberg
import ObjectStore
import Parquet
import Pinot

/// What the control plane asks of a connection before a task exists: namespaces, tables, and
/// the Pinot schema a table would get.
public struct Inspection: Sendable {
    public let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    /// Namespaces of the catalog, dotted (`a.b`), all levels.
    public func namespaces() async throws -> [String] {
        guard let catalog = connection.catalog else {
            throw EngineError(.unsupported, "namespaces come from a catalog; source.type is \(connection.configuration.source.type.rawValue)")
        }
        var result: [String] = []
        var seen: Set<[String]> = []
        var pending = try await catalog.listNamespaces()
        while let namespace = pending.first {
            pending.removeFirst()
            guard seen.insert(namespace).inserted else { continue }
            result.append(namespace.joined(separator: "."))
            if connection.configuration.source.restService != .s3tables {
                // Only true children: a catalog that ignores `parent` must not loop.
                let children = try await catalog.listNamespaces(parent: namespace)
                    .filter { $0.count > namespace.count && Array($0.prefix(namespace.count)) == namespace }
                pending.insert(contentsOf: children, at: 0)
            }
        }
        return result
    }

    /// Tables of the configured namespace.
    public func tables() async throws -> [String] {
        guard let catalog = connection.catalog else {
            throw EngineError(.unsupported, "tables come from a catalog; source.type is \(connection.configuration.source.type.rawValue)")
        }
        guard !connection.namespace.isEmpty else {
            throw EngineError(.invalidConfiguration, "name the namespace whose tables to list: --namespace NS (or source.namespace)")
        }
        return try await catalog.listTables(namespace: connection.namespace).map(\.name)
    }

    /// The Pinot schema for the configured table and schema options.
    public func pinotSchema() async throws -> PinotSchema {
        let configuration = connection.configuration
        let derivation = SchemaDerivation(schemaName: configuration.schemaName, options: configuration.schema)
        if configuration.source.type == .s3DataLake {
            let files = try await LakeBrowsing(connection).files()
            return try derivation.derive(parquet: files.columns, partitions: files.partitionColumns)
        }
        let (metadata, _) = try await connection.loadTable()
        return try derivation.derive(schema: metadata.currentSchema, spec: metadata.defaultSpec)
    }
}
