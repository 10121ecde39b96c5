import Avro

/// An entry of a manifest list (Iceberg table spec, "Manifest Lists").
public struct ManifestFile: Sendable, Equatable {
    public enum Content: Int, Sendable { case data = 0, deletes = 1 }

    public var path: String
    public var length: Int64
    public var partitionSpecId: Int
    public var content: Content
    /// 0 in v1 tables.
    public var sequenceNumber: Int64
    public var addedSnapshotId: Int64
    public var addedFilesCount: Int?
    public var existingFilesCount: Int?
    public var deletedFilesCount: Int?

    /// Reads a manifest list file.
    /// - Throws: `.corruptManifest` naming the file.
    public static func readList(_ bytes: [UInt8], path: String) throws(IcebergError) -> [ManifestFile] {
        let file: AvroContainerFile
        do {
            file = try AvroContainerFile(bytes: bytes, name: path)
        } catch {
            throw IcebergError(.corruptManifest, "manifest list is not a readable Avro file", object: path, underlying: error)
        }
        var result: [ManifestFile] = []
        for (index, value) in file.records.enumerated() {
            guard let record = value.recordValue, let manifestPath = record["manifest_path"]?.stringValue,
                  let addedSnapshot = record["added_snapshot_id"]?.int64 else {
                throw IcebergError(.corruptManifest, "manifest list entry \(index) lacks manifest_path or added_snapshot_id", object: path)
            }
            func count(_ names: String...) -> Int? {
                for name in names { if let value = record[name]?.int64 { return Int(value) } }
                return nil
            }
            let contentCode = record["content"]?.int64 ?? 0
            guard let content = Int(exactly: contentCode).flatMap(Content.init(rawValue:)) else {
                throw IcebergError(.corruptManifest, "manifest list entry \(index) has content \(contentCode), neither data (0) nor deletes (1)", object: path)
            }
            result.append(ManifestFile(
                path: manifestPath, length: record["manifest_length"]?.int64 ?? 0,
                partitionSpecId: Int(record["partition_spec_id"]?.int64 ?? 0),
                content: content,
                sequenceNumber: record["sequence_number"]?.int64 ?? 0, addedSnapshotId: addedSnapshot,
                addedFilesCount: count("added_files_count", "added_data_files_count"),
                existingFilesCount: count("existing_files_count", "existing_data_files_count"),
                deletedFilesCount: count("deleted_files_count", "deleted_data_files_count")))
        }
        return result
    }
}

/// A data or delete file, as a manifest entry describes it.
public struct DataFile: Sendable, Equatable {
    public enum Content: Int, Sendable { case data = 0, positionDeletes = 1, equalityDeletes = 2 }

    public var content: Content
    public var path: String
    public var format: String
    /// The partition tuple: partition field id → value.
    public var partition: [PartitionValue]
    public var recordCount: Int64
    public var fileSizeInBytes: Int64
    public var specId: Int
    /// Equality delete files: the field ids whose values identify deleted rows.
    public var equalityIds: [Int] = []
    /// Position deletes and deletion vectors: the one data file they apply to, when recorded
    /// (required for deletion vectors).
    public var referencedDataFile: String?
    /// Deletion vectors: where the blob lies in the Puffin file.
    public var contentOffset: Int64?
    public var contentSizeInBytes: Int64?

    public init(content: Content, path: String, format: String, partition: [PartitionValue], recordCount: Int64, fileSizeInBytes: Int64,
                specId: Int, equalityIds: [Int] = [], referencedDataFile: String? = nil, contentOffset: Int64? = nil,
                contentSizeInBytes: Int64? = nil) {
        self.content = content
        self.path = path
        self.format = format
        self.partition = partition
        self.recordCount = recordCount
        self.fileSizeInBytes = fileSizeInBytes
        self.specId = specId
        self.equalityIds = equalityIds
        self.referencedDataFile = referencedDataFile
        self.contentOffset = contentOffset
        self.contentSizeInBytes = contentSizeInBytes
    }

    /// A deletion vector (a Puffin blob) rather than a position delete file.
    public var isDeletionVector: Bool { content == .positionDeletes && format.uppercased() == "PUFFIN" }
}

/// One value of a partition tuple.
public struct PartitionValue: Sendable, Equatable {
    public var fieldId: Int?
    public var name: String
    public var value: AvroValue

    public init(fieldId: Int?, name: String, value: AvroValue) {
        self.fieldId = fieldId
        self.name = name
        self.value = value
    }
}

/// A manifest entry (Iceberg table spec, "Manifests"), with inherited snapshot id and sequence
/// number filled in.
public struct ManifestEntry: Sendable, Equatable {
    public enum Status: Int, Sendable { case existing = 0, added = 1, deleted = 2 }

    public var status: Status
    public var snapshotId: Int64
    /// The data sequence number (0 in v1 tables).
    public var sequenceNumber: Int64
    public var dataFile: DataFile

    /// Reads a manifest, inheriting null snapshot ids and sequence numbers from `manifest`.
    /// - Throws: `.corruptManifest` naming the file.
    public static func readManifest(_ bytes: [UInt8], manifest: ManifestFile) throws(IcebergError) -> [ManifestEntry] {
        let file: AvroContainerFile
        do {
            file = try AvroContainerFile(bytes: bytes, name: manifest.path)
        } catch {
            throw IcebergError(.corruptManifest, "manifest is not a readable Avro file", object: manifest.path, underlying: error)
        }
        var partitionIds: [String: Int] = [:]
        if case .record(_, let fields) = file.writerSchema.base,
           let dataFileField = fields.first(where: { $0.name == "data_file" }),
           case .record(_, let dataFields) = dataFileField.schema.base,
           let partitionField = dataFields.first(where: { $0.name == "partition" }),
           case .record(_, let partitionFields) = partitionField.schema.base {
            for field in partitionFields { partitionIds[field.name] = field.fieldId }
        }
        let specId = file.metadataString("partition-spec-id").flatMap(Int.init) ?? manifest.partitionSpecId
        var entries: [ManifestEntry] = []
        for (index, value) in file.records.enumerated() {
            guard let record = value.recordValue, let statusValue = record["status"]?.int64,
                  let status = Status(rawValue: Int(statusValue)), let dataFile = record["data_file"]?.recordValue,
                  let path = dataFile["file_path"]?.stringValue, let records = dataFile["record_count"]?.int64,
                  let size = dataFile["file_size_in_bytes"]?.int64 else {
                throw IcebergError(.corruptManifest, "manifest entry \(index) lacks status or data_file fields", object: manifest.path)
            }
            var partition: [PartitionValue] = []
            if let tuple = dataFile["partition"]?.recordValue {
                for (name, value) in zip(tuple.names, tuple.values) {
                    partition.append(PartitionValue(fieldId: partitionIds[name], name: name, value: value))
                }
            }
            let inheritedSequence = status == .added ? manifest.sequenceNumber : 0
            let contentCode = dataFile["content"]?.int64 ?? 0
            guard let content = Int(exactly: contentCode).flatMap(DataFile.Content.init(rawValue:)) else {
                throw IcebergError(.corruptManifest, "manifest entry \(entries.count) has content \(contentCode), not data (0), position deletes (1) or equality deletes (2)", object: manifest.path)
            }
            entries.append(ManifestEntry(
                status: status, snapshotId: record["snapshot_id"]?.int64 ?? manifest.addedSnapshotId,
                sequenceNumber: record["sequence_number"]?.int64 ?? inheritedSequence,
                dataFile: DataFile(
                    content: content, path: path,
                    format: dataFile["file_format"]?.stringValue ?? "PARQUET", partition: partition, recordCount: records,
                    fileSizeInBytes: size, specId: specId,
                    equalityIds: dataFile["equality_ids"]?.arrayValue?.compactMap { $0.int64.map(Int.init) } ?? [],
                    referencedDataFile: dataFile["referenced_data_file"]?.stringValue,
                    contentOffset: dataFile["content_offset"]?.int64, contentSizeInBytes: dataFile["content_size_in_bytes"]?.int64)))
        }
        return entries
    }
}
