import Columnar
import Iceberg
import ObjectStore
import Parquet

/// Reads the delete files that apply to a data file (``FileDeletes``, from the plan) into the
/// ``RowDeletes`` its rows are filtered by: a deletion vector's positions, the positions a
/// position delete file lists for this data file, and equality delete files' keys. A delete
/// file applies to many data files, so each is read once per run and kept.
actor DeleteLoader {
    private let io: FileIO
    /// The table's current schema: equality field ids name the columns.
    private let schema: IcebergSchema?
    private var positionFiles: [String: Task<[String: [Int64]], any Error>] = [:]
    private var equalityFiles: [String: Task<(columns: [String], keys: Set<[EqualityKey]>), any Error>] = [:]

    init(io: FileIO, schema: IcebergSchema?) {
        self.io = io
        self.schema = schema
    }

    static let filePathId = 2147483546
    static let positionId = 2147483545

    func load(_ deletes: FileDeletes, for dataFile: String) async throws -> RowDeletes {
        guard !deletes.isEmpty else { return .none }
        var result = RowDeletes()
        if let vector = deletes.deletionVector {
            result.positions.append((vector.path, Set(try await deletionVector(vector))))
        }
        for file in deletes.positionDeletes {
            result.positions.append((file.path, Set(try await positions(file)[dataFile] ?? [])))
        }
        for file in deletes.equalityDeletes {
            let (columns, keys) = try await equality(file)
            result.equality.append((file.path, columns, keys))
        }
        return result
    }

    /// The data files a position delete file names.
    func referencedFiles(_ file: DataFile) async throws -> Set<String> {
        Set(try await positions(file).keys)
    }

    /// The keys an equality delete file lists.
    func equalityKeys(_ file: DataFile) async throws -> Set<[EqualityKey]> {
        try await equality(file).keys
    }

    /// A position delete file's positions by data file, read once.
    private func positions(_ file: DataFile) async throws -> [String: [Int64]] {
        let task = positionFiles[file.path] ?? Task { [io] in try await Self.readPositions(file, io: io) }
        positionFiles[file.path] = task
        return try await task.value
    }

    /// An equality delete file's columns and keys, read once.
    private func equality(_ file: DataFile) async throws -> (columns: [String], keys: Set<[EqualityKey]>) {
        let task = equalityFiles[file.path] ?? Task { [io, schema] in try await Self.readKeys(file, io: io, schema: schema) }
        equalityFiles[file.path] = task
        return try await task.value
    }

    private func deletionVector(_ vector: DataFile) async throws -> [Int64] {
        guard let offset = vector.contentOffset, let size = vector.contentSizeInBytes else {
            throw EngineError(.corruptFile, "the deletion vector's manifest entry has no content_offset or content_size_in_bytes", file: vector.path)
        }
        let (store, key) = try io.resolve(vector.path)
        let blob: [UInt8]
        do {
            blob = try await store.get(key, range: .bounded(Int(offset)..<Int(offset + size)))
        } catch {
            throw FailureReport.engineError(error, file: vector.path, context: "cannot read the deletion vector")
        }
        return try DeletionVector.positions(blob, file: vector.path)
    }

    /// A position delete file: the deleted positions of each data file it names.
    private static func readPositions(_ file: DataFile, io: FileIO) async throws -> [String: [Int64]] {
        let reader = try await open(file, io: io)
        let fields = try reader.outputFields(try reader.fieldIndices(nil))
        guard let pathIndex = fields.firstIndex(where: { $0.fieldId == filePathId || $0.name == "file_path" }),
              let posIndex = fields.firstIndex(where: { $0.fieldId == positionId || $0.name == "pos" }) else {
            throw EngineError(.corruptFile, "a position delete file needs the columns file_path and pos", file: file.path)
        }
        var result: [String: [Int64]] = [:]
        for group in reader.metadata.rowGroups.indices {
            let batch = try await reader.readRowGroup(group, fields: [pathIndex, posIndex])
            for row in 0..<batch.rowCount {
                guard case .bytes(let path) = EqualityKey.of(batch.columns[0], row: row), case .int(let position) = EqualityKey.of(batch.columns[1], row: row) else {
                    throw EngineError(.corruptFile, "row \(row) of row group \(group) has no file_path or pos", file: file.path, rowGroup: group)
                }
                result[String(decoding: path, as: UTF8.self), default: []].append(position)
            }
        }
        return result
    }

    /// An equality delete file: its columns (named as the table names them now) and keys.
    private static func readKeys(_ file: DataFile, io: FileIO, schema: IcebergSchema?) async throws -> (columns: [String], keys: Set<[EqualityKey]>) {
        let reader = try await open(file, io: io)
        let fields = try reader.outputFields(try reader.fieldIndices(nil))
        var indices: [Int] = []
        var columns: [String] = []
        for id in file.equalityIds {
            guard let index = fields.firstIndex(where: { $0.fieldId == id }) else {
                throw EngineError(.corruptFile, "the equality delete file has no column with field id \(id)", file: file.path)
            }
            indices.append(index)
            columns.append(schema?.field(id: id)?.name ?? fields[index].name)
        }
        var keys = Set<[EqualityKey]>()
        for group in reader.metadata.rowGroups.indices {
            let batch = try await reader.readRowGroup(group, fields: indices)
            for row in 0..<batch.rowCount { keys.insert(batch.columns.map { EqualityKey.of($0, row: row) }) }
        }
        return (columns, keys)
    }

    private static func open(_ file: DataFile, io: FileIO) async throws -> ParquetFileReader<ObjectParquetSource> {
        do {
            let (store, key) = try io.resolve(file.path)
            return try await ParquetFileReader(source: ObjectParquetSource(store: store, key: key, size: Int(file.fileSizeInBytes)), name: file.path)
        } catch {
            throw FailureReport.engineError(error, file: file.path, context: "cannot read the delete file")
        }
    }
}
