import BoundedWork

/// Fetches manifest lists and manifests, at most `concurrency` at a time, and keeps each parsed
/// manifest by path: snapshots share most manifests, so planning several snapshots reads each
/// one once. Counts the objects it read.
public actor ManifestCache {
    private let io: FileIO
    private let concurrency: Int
    private var manifests: [String: [ManifestEntry]] = [:]
    private var lists: [String: [ManifestFile]] = [:]
    /// Objects fetched from storage (manifest lists and manifests).
    public private(set) var reads = 0

    public init(io: FileIO, concurrency: Int = 8) {
        self.io = io
        self.concurrency = max(1, concurrency)
    }

    public func manifestList(_ path: String) async throws(IcebergError) -> [ManifestFile] {
        if let cached = lists[path] { return cached }
        let bytes = try await io.read(path)
        reads += 1
        let list = try ManifestFile.readList(bytes, path: path)
        lists[path] = list
        return list
    }

    /// The entries of every manifest in `files`, in the same order.
    public func entries(_ files: [ManifestFile]) async throws(IcebergError) -> [[ManifestEntry]] {
        let missing = Array(Set(files.map(\.path).filter { manifests[$0] == nil })).sorted()
        let byPath = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let io = self.io
        do {
            let read = try await OrderedWindow<(String, [ManifestEntry])>.map(missing.compactMap { byPath[$0] }, limit: concurrency) { manifest in
                let bytes = try await io.read(manifest.path)
                return (manifest.path, try ManifestEntry.readManifest(bytes, manifest: manifest))
            }
            for (path, entries) in read {
                manifests[path] = entries
                reads += 1
            }
        } catch let error as IcebergError {
            throw error
        } catch {
            throw IcebergError(.storage, "reading manifests failed: \(error)")
        }
        return files.map { manifests[$0.path] ?? [] }
    }
}
