import BoundedWork
import Columnar
import Iceberg
import ObjectStore
import Parquet

/// An S3 data lake's footers and schema, for `run` and `schema` alike: each file's row count
/// and columns, folded in path order into a ``LakeSchemaUnion``, plus the Hive-style partition
/// folders' columns (``HivePartitions``).
enum DataLakeSchema {
    /// One file's footer: its row count and columns, or why it could not be read (with
    /// `continueOnFileError`; such a file counts 0 rows and fails again when fetched).
    struct Footer: Sendable {
        var uri: String
        var info: ObjectInfo
        var rows: Int64
        var fields: [Field]?
        var failure: String?
    }

    /// Reads the footers of `files`, 32 at a time (each is one small ranged read: latency, not
    /// bandwidth or CPU, is what they cost), in their order.
    /// - Throws: the first unreadable footer's error without `continueOnFileError`.
    static func footers(_ files: [(uri: String, info: ObjectInfo)], io: FileIO, continueOnFileError: Bool) async throws -> [Footer] {
        try await OrderedWindow<Footer>.map(files, limit: 32) { file in
            do {
                let (store, key) = try io.resolve(file.uri)
                let reader = try await ParquetFileReader(source: ObjectParquetSource(store: store, key: key, size: file.info.size), name: file.uri)
                return Footer(uri: file.uri, info: file.info, rows: Int64(reader.rowCount),
                              fields: try reader.outputFields(try reader.fieldIndices(nil)))
            } catch {
                guard continueOnFileError else {
                    throw FailureReport.engineError(error, file: file.uri, context: "reading the footer").suggestingSkip()
                }
                return Footer(uri: file.uri, info: file.info, rows: 0, fields: nil, failure: "\(file.uri): \(error)")
            }
        }
    }

    /// Adds the footers' columns to `union` in path order (the excluded ones only by name);
    /// returns the union's notes.
    static func add(_ footers: [Footer], to union: inout LakeSchemaUnion, excluded: Set<String>) throws -> [String] {
        var notes: [String] = []
        for footer in footers.sorted(by: { $0.uri.utf8.lexicographicallyPrecedes($1.uri.utf8) }) {
            guard let fields = footer.fields else { continue }
            notes += try union.add(fields, rows: Int(footer.rows), file: footer.uri, excluded: excluded)
        }
        return notes
    }

    /// The data lake's columns: the union's, then the partition folders' of `files`.
    /// - Throws: `.notFound` when no file could be read.
    static func fields(_ union: LakeSchemaUnion, files: [String], under location: String) throws -> (fields: [Field], partitions: Set<String>) {
        guard !union.isEmpty else {
            throw EngineError(.notFound, "no readable Parquet file to derive the schema from (\(files.count) files, each skipped)")
        }
        let columns = union.fields
        let partitions = HivePartitions.fields(files, under: location, fileColumns: Set(columns.map(\.name)))
        return (columns + partitions, Set(partitions.map(\.name)))
    }
}
