import Iceberg
import Parquet

/// The live data files whose rows the delete files a snapshot added remove: what a change
/// rebuilds, so that its cost follows the rows deleted, not the table. A deletion vector or a
/// position delete file that names its data file hits that file; a position delete file that
/// names none is read for the `file_path`s it lists; an equality delete file hits an older file
/// of its partition (of any, when global) only when one of that file's rows has a deleted key —
/// found by reading just the key columns.
struct DeleteHits {
    let loader: DeleteLoader
    let io: FileIO

    func files(hitBy added: [DataFile], in state: IncrementalPlanner.LiveState) async throws -> [String] {
        guard !added.isEmpty else { return [] }
        let ids = Set(added.map { DeleteID($0) })
        var hits: [String] = []
        for entry in state.data.values.sorted(by: { $0.dataFile.path < $1.dataFile.path }) {
            let applied = state.index.deletes(for: entry)
            let new = ((applied.deletionVector.map { [$0] } ?? []) + applied.positionDeletes + applied.equalityDeletes)
                .filter { ids.contains(DeleteID($0)) }
            guard !new.isEmpty else { continue }
            if try await hit(entry.dataFile, by: new) { hits.append(entry.dataFile.path) }
        }
        return hits
    }

    private func hit(_ data: DataFile, by deletes: [DataFile]) async throws -> Bool {
        for delete in deletes {
            switch delete.content {
            case .positionDeletes where delete.isDeletionVector || delete.referencedDataFile != nil:
                return true
            case .positionDeletes:
                if try await loader.referencedFiles(delete).contains(data.path) { return true }
            case .equalityDeletes:
                if try await matchesKey(data, delete) { return true }
            case .data:
                break
            }
        }
        return false
    }

    /// Whether any row of `data` has a key the equality delete file lists.
    private func matchesKey(_ data: DataFile, _ delete: DataFile) async throws -> Bool {
        let keys = try await loader.equalityKeys(delete)
        guard !keys.isEmpty else { return false }
        let reader: ParquetFileReader<ObjectParquetSource>
        do {
            let (store, key) = try io.resolve(data.path)
            reader = try await ParquetFileReader(source: ObjectParquetSource(store: store, key: key, size: Int(data.fileSizeInBytes)), name: data.path)
        } catch {
            throw FailureReport.engineError(error, file: data.path, context: "cannot read the data file's key columns")
        }
        let fields = try reader.outputFields(try reader.fieldIndices(nil))
        var indices: [Int] = []
        for id in delete.equalityIds {
            // A column the file lacks (added later) is null in every row.
            guard let index = fields.firstIndex(where: { $0.fieldId == id }) else { return keys.contains { key in key.allSatisfy { $0 == .null } } }
            indices.append(index)
        }
        for group in reader.metadata.rowGroups.indices {
            let batch = try await reader.readRowGroup(group, fields: indices)
            for row in 0..<batch.rowCount where keys.contains(batch.columns.map { EqualityKey.of($0, row: row) }) { return true }
        }
        return false
    }
}

/// A delete file's identity: one Puffin file holds many deletion vectors.
private struct DeleteID: Hashable {
    var path: String
    var offset: Int64?
    init(_ file: DataFile) {
        path = file.path
        offset = file.contentOffset
    }
}
