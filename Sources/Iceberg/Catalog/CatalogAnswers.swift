/// The Iceberg REST catalog's answers, read from their JSON bytes. Every shape is checked: a
/// field of the wrong type is an `.invalidResponse` naming it, never read as empty.
public enum CatalogAnswers {
    /// `GET /v1/config`: the merged properties (overrides win) and the path prefix.
    public static func config(_ bytes: [UInt8]) throws(IcebergError) -> (properties: [String: String], prefix: String) {
        let json = try parse(bytes, "config answer")
        let defaults = try json.strictStringMap("defaults")
        let overrides = try json.strictStringMap("overrides")
        return (defaults.merging(overrides) { _, override in override }, overrides["prefix"] ?? defaults["prefix"] ?? "")
    }

    /// One page of `GET …/namespaces`: each namespace's levels, and the next page's token.
    public static func namespaces(_ bytes: [UInt8]) throws(IcebergError) -> (namespaces: [[String]], nextPageToken: String?) {
        let json = try parse(bytes, "namespaces answer")
        guard let list = json.values["namespaces"] as? [Any] else {
            throw IcebergError(.invalidResponse, "the namespaces answer lacks an array \"namespaces\"")
        }
        var namespaces: [[String]] = []
        for (i, item) in list.enumerated() {
            guard let levels = item as? [Any], !levels.isEmpty, let names = levels as? [String] else {
                throw IcebergError(.invalidResponse, "namespaces[\(i)] is not a list of names")
            }
            namespaces.append(names)
        }
        return (namespaces, try json.strictOptionalString("next-page-token"))
    }

    /// One page of `GET …/namespaces/{ns}/tables`.
    public static func tables(_ bytes: [UInt8], namespace: [String]) throws(IcebergError) -> (tables: [TableIdentifier], nextPageToken: String?) {
        let json = try parse(bytes, "tables answer")
        guard json.has("identifiers") else { throw IcebergError(.invalidResponse, "the tables answer lacks an array \"identifiers\"") }
        var tables: [TableIdentifier] = []
        for identifier in try json.objects("identifiers") {
            var levels = namespace
            if identifier.has("namespace") {
                guard let names = identifier.values["namespace"] as? [String] else {
                    throw IcebergError(.invalidResponse, "\(identifier.context).namespace is not a list of names")
                }
                levels = names
            }
            tables.append(TableIdentifier(namespace: levels, name: try identifier.string("name")))
        }
        return (tables, try json.strictOptionalString("next-page-token"))
    }

    /// `GET …/tables/{table}`: metadata, its location and the catalog's config (vended credentials).
    public static func loadTable(_ bytes: [UInt8], name: String) throws(IcebergError) -> LoadedTable {
        let json = try parse(bytes, "loadTable answer")
        let metadata: TableMetadata
        do {
            metadata = try TableMetadata.parse(try json.object("metadata"))
        } catch {
            var located = error
            located.object = located.object ?? name
            throw located
        }
        return LoadedTable(metadataLocation: try json.strictOptionalString("metadata-location"), metadata: metadata,
                           config: try json.strictStringMap("config"))
    }

    private static func parse(_ bytes: [UInt8], _ context: String) throws(IcebergError) -> JSONObject {
        do {
            return try JSONObject.parse(bytes, context: context)
        } catch {
            throw IcebergError(.invalidResponse, error.message)
        }
    }
}
