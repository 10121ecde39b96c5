import Columnar
import Iceberg
import ObjectStore
import Parquet

/// Which columns an S3 data lake's schema comes from: `run` and `schema` alike.
enum DataLakeSchema {
    /// The columns a data lake's schema is derived from: those of the first file in path order
    /// that has rows (a 0-row file never decides a type; the first file when none has rows). A
    /// column that file declares without a type (all nulls) takes its type from the next files
    /// that type it, STRING when none of the next 16 does.
    /// The data lake's columns: the files' (``fileFields(_:io:continueOnFileError:)``), then its
    /// Hive-style partition folders' (``HivePartitions``).
    static func fields(_ files: [(uri: String, info: ObjectInfo)], under location: String, io: FileIO,
                       continueOnFileError: Bool) async throws -> (fields: [Field], partitions: Set<String>) {
        let columns = try await fileFields(files, io: io, continueOnFileError: continueOnFileError)
        let partitions = HivePartitions.fields(files.map(\.uri), under: location, fileColumns: Set(columns.map(\.name)))
        return (columns + partitions, Set(partitions.map(\.name)))
    }

    static func fileFields(_ files: [(uri: String, info: ObjectInfo)], io: FileIO, continueOnFileError: Bool) async throws -> [Field] {
        var chosen: [Field]?
        var firstEmpty: [Field]?
        var looked = 0
        for file in files {
            let fields: [Field]
            let rows: Int
            do {
                let (store, key) = try io.resolve(file.uri)
                let reader = try await ParquetFileReader(source: ObjectParquetSource(store: store, key: key, size: file.info.size), name: file.uri)
                fields = try reader.outputFields(try reader.fieldIndices(nil))
                rows = reader.rowCount
            } catch {
                guard continueOnFileError else {
                    throw FailureReport.engineError(error, file: file.uri, context: "deriving the schema").suggestingSkip()
                }
                continue
            }
            guard var current = chosen else {
                guard rows > 0 else {
                    firstEmpty = firstEmpty ?? fields
                    continue
                }
                guard fields.contains(where: \.isNullType) else { return fields }
                chosen = fields
                continue
            }
            for (index, field) in current.enumerated() where field.isNullType {
                if let typed = fields.first(where: { $0.name == field.name && !$0.isNullType }) {
                    current[index] = Field(name: field.name, type: typed.type, nullable: true, fieldId: field.fieldId)
                }
            }
            chosen = current
            looked += 1
            if looked >= 16 || !current.contains(where: \.isNullType) { break }
        }
        guard let chosen = chosen ?? firstEmpty else {
            throw EngineError(.notFound, "no readable Parquet file to derive the schema from (\(files.count) files, each skipped)")
        }
        return chosen.map { $0.isNullType ? Field(name: $0.name, type: .string, nullable: true, fieldId: $0.fieldId) : $0 }
    }
}
