/// Where ingestion stopped: the last snapshot whose data is in pushed segments.
public struct Checkpoint: Sendable, Equatable, Codable {
    public var snapshotId: Int64
    public var sequenceNumber: Int64

    public init(snapshotId: Int64, sequenceNumber: Int64) {
        self.snapshotId = snapshotId
        self.sequenceNumber = sequenceNumber
    }
}

/// What to do for one snapshot, oldest first.
public enum SnapshotStep: Sendable, Equatable {
    /// Ingest these data files (in path order) and then checkpoint the snapshot. Also used for a
    /// first run (the current snapshot's live files) and for the fallback after an expired
    /// checkpoint.
    case ingest(snapshot: Snapshot, files: [DataFile])
    /// A `replace` (compaction) whose record counts balance: nothing to ingest; checkpoint it.
    case noOp(snapshot: Snapshot)
    /// An overwrite or delete skipped because the task is configured to skip them.
    case skipped(snapshot: Snapshot)
    /// An overwrite or delete (or a replace whose counts do not balance) applied as a mirror:
    /// the data files it added (path order) and removed, and the delete files it added (the
    /// live data files they hit are rebuilt with them applied).
    case change(snapshot: Snapshot, added: [DataFile], removed: [DataFile], addedDeletes: [DataFile])
    /// A replace (compaction) whose counts balance, applied as a mirror: the same rows now
    /// live in `added` instead of `removed`.
    case relink(snapshot: Snapshot, added: [DataFile], removed: [DataFile])

    public var snapshot: Snapshot {
        switch self {
        case .ingest(let snapshot, _), .noOp(let snapshot), .skipped(let snapshot), .change(let snapshot, _, _, _), .relink(let snapshot, _, _):
            snapshot
        }
    }

    public var files: [DataFile] {
        switch self {
        case .ingest(_, let files), .change(_, let files, _, _): files
        default: []
        }
    }
}

/// The plan from a checkpoint to the main branch's head.
public struct IncrementalPlan: Sendable, Equatable {
    public var steps: [SnapshotStep]
    /// Set when the checkpointed snapshot no longer exists: the plan then compares data file
    /// sets (files whose data sequence number is above the checkpoint's) instead of walking
    /// snapshots.
    public var checkpointExpired: Bool
    /// Manifest lists and manifests read.
    public var objectsRead: Int
}

/// Plans incremental ingestion (DESIGN.md, "Snapshots, checkpoints and exactly once").
public struct IncrementalPlanner: Sendable {
    /// What an overwrite, delete or replace snapshot becomes: a ``SnapshotStep/change(snapshot:added:removed:)``
    /// or ``SnapshotStep/relink(snapshot:added:removed:)`` (`mirror`), an error (`fail`), or a
    /// skipped step (`skip`, a balanced replace a no-op).
    public enum NonAppendPolicy: String, Sendable { case mirror, fail, skip }

    public let metadata: TableMetadata
    public let cache: ManifestCache
    public let nonAppend: NonAppendPolicy

    public init(metadata: TableMetadata, io: FileIO, nonAppend: NonAppendPolicy = .fail, concurrency: Int = 8) {
        self.metadata = metadata
        self.cache = ManifestCache(io: io, concurrency: concurrency)
        self.nonAppend = nonAppend
    }

    /// Plans from `checkpoint` (nil: a first run) to the main branch's head.
    /// - Throws: `.nonAppendSnapshot`, `.deleteFilesPresent`, `.replaceMismatch`, and the
    ///   metadata and storage errors of reading manifests.
    public func plan(from checkpoint: Checkpoint?) async throws(IcebergError) -> IncrementalPlan {
        let ancestry = metadata.mainAncestry()
        guard let head = ancestry.last else { return IncrementalPlan(steps: [], checkpointExpired: false, objectsRead: 0) }
        guard let checkpoint else {
            let files = try await liveFiles(of: head, newerThan: nil)
            return IncrementalPlan(steps: [.ingest(snapshot: head, files: files)], checkpointExpired: false, objectsRead: await cache.reads)
        }
        guard let start = ancestry.firstIndex(where: { $0.snapshotId == checkpoint.snapshotId }) else {
            guard metadata.formatVersion >= 2, checkpoint.sequenceNumber > 0 || head.sequenceNumber > 0 else {
                throw IcebergError(.snapshotNotFound,
                    "checkpoint snapshot \(checkpoint.snapshotId) has expired and this v1 table has no sequence numbers to compare files by")
            }
            let files = try await liveFiles(of: head, newerThan: checkpoint.sequenceNumber)
            return IncrementalPlan(steps: [.ingest(snapshot: head, files: files)], checkpointExpired: true, objectsRead: await cache.reads)
        }
        var steps: [SnapshotStep] = []
        for snapshot in ancestry[(start + 1)...] {
            steps.append(try await step(for: snapshot))
        }
        return IncrementalPlan(steps: steps, checkpointExpired: false, objectsRead: await cache.reads)
    }

    /// The live data files of snapshot `snapshotId` as one step (what a first run, or the
    /// fallback after an expired checkpoint with `newerThan`, ingests): the same files however
    /// often it is asked, so an interrupted first run resumes with the same segments.
    /// - Throws: `.snapshotNotFound` when the snapshot is gone, `.deleteFilesPresent`, and the
    ///   errors of reading manifests.
    public func liveStep(snapshotId: Int64, newerThan sequenceNumber: Int64?) async throws(IcebergError) -> SnapshotStep {
        guard let snapshot = metadata.snapshot(id: snapshotId) else {
            throw IcebergError(.snapshotNotFound, "snapshot \(snapshotId) no longer exists in the table's metadata")
        }
        return .ingest(snapshot: snapshot, files: try await liveFiles(of: snapshot, newerThan: sequenceNumber))
    }

    private func step(for snapshot: Snapshot) async throws(IcebergError) -> SnapshotStep {
        switch snapshot.operation {
        case "append":
            let (added, deleted, addedDeletes) = try await changes(of: snapshot)
            guard addedDeletes.isEmpty else {
                throw IcebergError(.deleteFilesPresent, "append snapshot \(snapshot.snapshotId) adds \(addedDeletes.count) delete files")
            }
            guard deleted.isEmpty else {
                throw IcebergError(.nonAppendSnapshot, "append snapshot \(snapshot.snapshotId) removes \(deleted.count) data files")
            }
            return .ingest(snapshot: snapshot, files: added.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) })
        case "replace":
            let (added, deleted, addedDeletes) = try await changes(of: snapshot)
            let addedRecords = added.reduce(Int64(0)) { $0 &+ $1.recordCount }
            let deletedRecords = deleted.reduce(Int64(0)) { $0 &+ $1.recordCount }
            let balanced = addedRecords == deletedRecords && addedDeletes.isEmpty
            if nonAppend == .mirror {
                let sorted = added.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
                if balanced && addedDeletes.isEmpty { return .relink(snapshot: snapshot, added: sorted, removed: deleted) }
                return .change(snapshot: snapshot, added: sorted, removed: deleted, addedDeletes: addedDeletes)
            }
            guard balanced else {
                throw IcebergError(.replaceMismatch,
                    "replace snapshot \(snapshot.snapshotId) adds \(addedRecords) records and removes \(deletedRecords)\(addedDeletes.isEmpty ? "" : " and adds delete files")")
            }
            return .noOp(snapshot: snapshot)
        default:
            if nonAppend == .mirror {
                let (added, deleted, addedDeletes) = try await changes(of: snapshot)
                return .change(snapshot: snapshot, added: added.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }, removed: deleted,
                               addedDeletes: addedDeletes)
            }
            guard nonAppend == .skip else {
                throw IcebergError(.nonAppendSnapshot,
                    "snapshot \(snapshot.snapshotId) is a \(snapshot.operation) and source.nonAppendSnapshots is fail (mirror applies it; skip ignores such snapshots)")
            }
            return .skipped(snapshot: snapshot)
        }
    }

    /// A snapshot's live data files (by path, with their data sequence numbers) and its live
    /// delete files, indexed by the scope rules.
    public struct LiveState: Sendable {
        public var data: [String: ManifestEntry]
        public var index: DeleteIndex
    }

    /// The live data files of `snapshot` by path (what a change rebuilds touched segments from).
    public func liveDataFiles(of snapshot: Snapshot) async throws(IcebergError) -> [String: DataFile] {
        try await liveState(of: snapshot).data.mapValues(\.dataFile)
    }

    public func liveState(of snapshot: Snapshot) async throws(IcebergError) -> LiveState {
        guard let list = snapshot.manifestList else {
            throw IcebergError(.invalidMetadata, "snapshot \(snapshot.snapshotId) has no manifest list")
        }
        let manifests = try await cache.manifestList(list)
        let entries = try await cache.entries(manifests)
        var data: [String: ManifestEntry] = [:]
        var deletes: [ManifestEntry] = []
        for (manifest, manifestEntries) in zip(manifests, entries) {
            for entry in manifestEntries where entry.status != .deleted {
                if manifest.content == .deletes || entry.dataFile.content != .data {
                    try Self.checkReadable(entry.dataFile, snapshot: snapshot)
                    deletes.append(entry)
                } else {
                    data[entry.dataFile.path] = entry
                }
            }
        }
        return LiveState(data: data, index: DeleteIndex(deletes: deletes, specs: metadata.partitionSpecs))
    }

    /// A delete file this engine can apply: Parquet position or equality deletes, or a Puffin
    /// deletion vector with its blob's place and data file.
    private static func checkReadable(_ file: DataFile, snapshot: Snapshot) throws(IcebergError) {
        let format = file.format.uppercased()
        let readable = file.isDeletionVector
            ? file.referencedDataFile != nil && file.contentOffset != nil && file.contentSizeInBytes != nil
            : format == "PARQUET" && (file.content != .equalityDeletes || !file.equalityIds.isEmpty)
        guard readable else {
            throw IcebergError(.deleteFilesPresent,
                "snapshot \(snapshot.snapshotId) has delete file \(file.path) (\(format), content \(file.content)) that cannot be applied: only Parquet position and equality deletes and Puffin deletion vectors are read")
        }
    }

    /// The data files a snapshot added and removed, and the delete files it added: entries of the
    /// manifests that snapshot wrote, with that snapshot's id.
    private func changes(of snapshot: Snapshot) async throws(IcebergError) -> (added: [DataFile], deleted: [DataFile], addedDeletes: [DataFile]) {
        guard let list = snapshot.manifestList else {
            throw IcebergError(.invalidMetadata, "snapshot \(snapshot.snapshotId) has no manifest list")
        }
        let manifests = try await cache.manifestList(list).filter { $0.addedSnapshotId == snapshot.snapshotId }
        let entries = try await cache.entries(manifests)
        var added: [DataFile] = []
        var deleted: [DataFile] = []
        var addedDeletes: [DataFile] = []
        for (manifest, manifestEntries) in zip(manifests, entries) {
            for entry in manifestEntries where entry.snapshotId == snapshot.snapshotId {
                let isDelete = manifest.content == .deletes || entry.dataFile.content != .data
                switch (entry.status, isDelete) {
                case (.added, false): added.append(entry.dataFile)
                case (.added, true): addedDeletes.append(entry.dataFile)
                case (.deleted, false): deleted.append(entry.dataFile)
                default: break
                }
            }
        }
        return (added, deleted, addedDeletes)
    }

    /// The live data files of `snapshot` (optionally only those with a data sequence number above
    /// `sequenceNumber`), in path order.
    private func liveFiles(of snapshot: Snapshot, newerThan sequenceNumber: Int64?) async throws(IcebergError) -> [DataFile] {
        guard let list = snapshot.manifestList else {
            throw IcebergError(.invalidMetadata, "snapshot \(snapshot.snapshotId) has no manifest list")
        }
        let manifests = try await cache.manifestList(list)
        let entries = try await cache.entries(manifests)
        var files: [DataFile] = []
        for (manifest, manifestEntries) in zip(manifests, entries) {
            for entry in manifestEntries where entry.status != .deleted {
                // Delete files apply to the data files as they are built (``liveState(of:)``).
                if manifest.content == .deletes || entry.dataFile.content != .data { continue }
                if let sequenceNumber, entry.sequenceNumber <= sequenceNumber { continue }
                files.append(entry.dataFile)
            }
        }
        return files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }
}
