/// A snapshot (Iceberg table spec, "Snapshots").
public struct Snapshot: Sendable, Equatable {
    public var snapshotId: Int64
    public var parentSnapshotId: Int64?
    /// 0 in format v1 tables.
    public var sequenceNumber: Int64
    public var timestampMs: Int64
    public var manifestList: String?
    /// `summary.operation`: append, replace, overwrite or delete.
    public var operation: String
    public var summary: [String: String]
    public var schemaId: Int?
}

/// A named reference (branch or tag) to a snapshot.
public struct SnapshotRef: Sendable, Equatable {
    public var snapshotId: Int64
    public var type: String
}

/// Table metadata, format v1, v2 or v3 (Iceberg table spec, "Table Metadata"); v3's row-lineage
/// fields are not needed here, and types no mapping covers are refused by name where used.
public struct TableMetadata: Sendable, Equatable {
    public var formatVersion: Int
    public var tableUUID: String?
    public var location: String
    public var lastSequenceNumber: Int64
    public var schemas: [IcebergSchema]
    public var currentSchemaId: Int
    public var partitionSpecs: [PartitionSpec]
    public var defaultSpecId: Int
    public var properties: [String: String]
    public var currentSnapshotId: Int64?
    public var snapshots: [Snapshot]
    public var refs: [String: SnapshotRef]

    public var currentSchema: IcebergSchema {
        schemas.first { $0.schemaId == currentSchemaId } ?? schemas[0]
    }

    public func schema(id: Int?) -> IcebergSchema {
        id.flatMap { id in schemas.first { $0.schemaId == id } } ?? currentSchema
    }

    public var defaultSpec: PartitionSpec {
        partitionSpecs.first { $0.specId == defaultSpecId } ?? PartitionSpec(specId: 0, fields: [])
    }

    public func spec(id: Int) -> PartitionSpec? { partitionSpecs.first { $0.specId == id } }

    public func snapshot(id: Int64) -> Snapshot? { snapshots.first { $0.snapshotId == id } }

    /// The main branch's head: `refs.main`, or `current-snapshot-id` for tables without refs.
    public var mainSnapshotId: Int64? {
        if let main = refs["main"] { return main.snapshotId }
        return currentSnapshotId
    }

    /// The `schema.name-mapping.default` property, where set.
    public var nameMapping: String? { properties["schema.name-mapping.default"] }

    /// Parses table metadata JSON.
    /// - Throws: `.invalidMetadata` naming `source`, `.unsupportedVersion` for format v4 and later.
    public static func parse(_ bytes: [UInt8], source: String) throws(IcebergError) -> TableMetadata {
        do {
            return try parse(try JSONObject.parse(bytes, context: "table metadata"))
        } catch {
            var located = error
            located.object = located.object ?? source
            throw located
        }
    }

    static func parse(_ json: JSONObject) throws(IcebergError) -> TableMetadata {
        let version = try json.int("format-version")
        guard (1...3).contains(version) else {
            throw IcebergError(.unsupportedVersion, "table format version \(version) is not supported (v1, v2 and v3 are)")
        }
        var schemas: [IcebergSchema] = []
        if json.has("schemas") {
            schemas = try json.objects("schemas").map { (s) throws(IcebergError) in try IcebergSchema.parse(s) }
        } else {
            schemas = [try IcebergSchema.parse(try json.object("schema"))]
        }
        guard !schemas.isEmpty else { throw IcebergError(.invalidMetadata, "table metadata has no schema") }
        var specs: [PartitionSpec] = []
        if json.has("partition-specs") {
            specs = try json.objects("partition-specs").map { (s) throws(IcebergError) in try PartitionSpec.parse(s) }
        } else if json.has("partition-spec") {
            let fields = (json.values["partition-spec"] as? [Any]) ?? []
            specs = [PartitionSpec(specId: 0, fields: try PartitionSpec.parseFields(fields.enumerated().map { (i, f) throws(IcebergError) in
                try JSONObject(f, context: "partition-spec[\(i)]") }))]
        }
        var snapshots: [Snapshot] = []
        for object in try json.optionalObjects("snapshots") {
            let summary = object.stringMap("summary")
            snapshots.append(Snapshot(
                snapshotId: try object.int64("snapshot-id"), parentSnapshotId: object.optionalInt64("parent-snapshot-id"),
                sequenceNumber: object.optionalInt64("sequence-number") ?? 0, timestampMs: object.optionalInt64("timestamp-ms") ?? 0,
                manifestList: object.optionalString("manifest-list"), operation: summary["operation"] ?? "append",
                summary: summary, schemaId: object.optionalInt("schema-id")))
            if object.has("manifests") && !object.has("manifest-list") {
                throw IcebergError(.unsupportedFeature, "snapshot \(snapshots.last!.snapshotId) lists manifests inline (v1 without a manifest list)")
            }
        }
        var refs: [String: SnapshotRef] = [:]
        if let map = json.values["refs"] as? [String: Any] {
            for (name, value) in map {
                let ref = try JSONObject(value, context: "refs.\(name)")
                refs[name] = SnapshotRef(snapshotId: try ref.int64("snapshot-id"), type: ref.optionalString("type") ?? "branch")
            }
        }
        var current = json.optionalInt64("current-snapshot-id")
        if current == -1 { current = nil }
        return TableMetadata(
            formatVersion: version, tableUUID: json.optionalString("table-uuid"), location: try json.string("location"),
            lastSequenceNumber: json.optionalInt64("last-sequence-number") ?? 0, schemas: schemas,
            currentSchemaId: json.optionalInt("current-schema-id") ?? schemas[0].schemaId, partitionSpecs: specs,
            defaultSpecId: json.optionalInt("default-spec-id") ?? specs.first?.specId ?? 0, properties: json.stringMap("properties"),
            currentSnapshotId: current, snapshots: snapshots, refs: refs)
    }

    /// The main branch's snapshots from the oldest ancestor still in the metadata to the head.
    public func mainAncestry() -> [Snapshot] {
        var chain: [Snapshot] = []
        var next = mainSnapshotId
        var seen = Set<Int64>()
        while let id = next, let snapshot = snapshot(id: id), seen.insert(id).inserted {
            chain.append(snapshot)
            next = snapshot.parentSnapshotId
        }
        return chain.reversed()
    }
}
