/// The row-level deletes that apply to a data file, by the spec's scan-planning rules: a
/// deletion vector to the data file it references when the data file's data sequence number is
/// `<=` the vector's; a position delete file likewise (and only when no deletion vector applies);
/// an equality delete file to data files whose data sequence number is strictly `<` its own, in
/// the same partition — or in every partition when its spec is unpartitioned.
public struct FileDeletes: Sendable, Equatable {
    public var deletionVector: DataFile?
    public var positionDeletes: [DataFile] = []
    public var equalityDeletes: [DataFile] = []

    public init(deletionVector: DataFile? = nil, positionDeletes: [DataFile] = [], equalityDeletes: [DataFile] = []) {
        self.deletionVector = deletionVector
        self.positionDeletes = positionDeletes
        self.equalityDeletes = equalityDeletes
    }

    public var isEmpty: Bool { deletionVector == nil && positionDeletes.isEmpty && equalityDeletes.isEmpty }
}

/// A snapshot's live delete files, indexed for ``deletes(for:)``.
public struct DeleteIndex: Sendable {
    private let specs: [Int: PartitionSpec]
    private var vectors: [String: [ManifestEntry]] = [:]
    private var positionsByFile: [String: [ManifestEntry]] = [:]
    /// Position delete files without a referenced data file: they may name any file of their partition.
    private var positionsUnscoped: [ManifestEntry] = []
    private var equality: [ManifestEntry] = []

    /// - Parameter deletes: live (not DELETED) entries of delete content.
    public init(deletes: [ManifestEntry], specs: [PartitionSpec]) {
        var bySpec: [Int: PartitionSpec] = [:]
        for spec in specs { bySpec[spec.specId] = spec }
        self.specs = bySpec
        for entry in deletes where entry.status != .deleted {
            let file = entry.dataFile
            switch file.content {
            case .positionDeletes where file.isDeletionVector:
                if let target = file.referencedDataFile { vectors[target, default: []].append(entry) }
            case .positionDeletes:
                if let target = file.referencedDataFile {
                    positionsByFile[target, default: []].append(entry)
                } else {
                    positionsUnscoped.append(entry)
                }
            case .equalityDeletes:
                equality.append(entry)
            case .data:
                break
            }
        }
    }

    public var isEmpty: Bool { vectors.isEmpty && positionsByFile.isEmpty && positionsUnscoped.isEmpty && equality.isEmpty }

    /// The deletes that apply to the data file of `entry` (its data sequence number and partition).
    public func deletes(for entry: ManifestEntry) -> FileDeletes {
        let file = entry.dataFile
        var result = FileDeletes()
        // The newest deletion vector of the file; it supersedes any position delete file.
        if let vector = vectors[file.path]?.filter({ entry.sequenceNumber <= $0.sequenceNumber }).max(by: { $0.sequenceNumber < $1.sequenceNumber }) {
            result.deletionVector = vector.dataFile
        } else {
            let candidates = (positionsByFile[file.path] ?? []) + positionsUnscoped
            result.positionDeletes = candidates
                .filter { entry.sequenceNumber <= $0.sequenceNumber && samePartition($0.dataFile, file) }
                .map(\.dataFile).sorted { $0.path < $1.path }
        }
        result.equalityDeletes = equality
            .filter { entry.sequenceNumber < $0.sequenceNumber && (isGlobal($0.dataFile) || samePartition($0.dataFile, file)) }
            .map(\.dataFile).sorted { $0.path < $1.path }
        return result
    }

    private func isGlobal(_ delete: DataFile) -> Bool { specs[delete.specId]?.isUnpartitioned ?? delete.partition.isEmpty }

    private func samePartition(_ a: DataFile, _ b: DataFile) -> Bool {
        a.specId == b.specId && a.partition.map(\.value) == b.partition.map(\.value)
    }
}
