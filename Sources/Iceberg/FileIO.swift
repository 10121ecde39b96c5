import ObjectStore

/// Reads Iceberg's files by URI (`s3://bucket/key`, `s3a://…`, `file:///path`, `/path`) through
/// object stores: S3 buckets through a store made per bucket, local paths through a
/// `LocalObjectStore` at the file system root.
public struct FileIO: Sendable {
    private let s3Store: @Sendable (_ bucket: String) -> any ObjectStore
    /// Prefix rewrites applied to every URI before it is read: a table whose files moved.
    public private(set) var mappings: [(from: String, to: String)] = []

    /// - Parameter s3Store: makes the store for a bucket (same credentials and endpoint for all).
    public init(s3Store: @escaping @Sendable (_ bucket: String) -> any ObjectStore) {
        self.s3Store = s3Store
    }

    /// This FileIO, reading every URI that starts with `from` under `to` instead (Iceberg records
    /// absolute paths; a table copied to another bucket or folder is read where it now is).
    public func mapping(_ from: String, to: String) -> FileIO {
        var copy = self
        let trim = { (text: String) in text.hasSuffix("/") ? String(text.dropLast()) : text }
        copy.mappings.append((trim(from), trim(to)))
        return copy
    }

    /// `uri` after the prefix rewrites.
    public func mapped(_ uri: String) -> String {
        for (from, to) in mappings where uri == from || uri.hasPrefix(from + "/") {
            return to + uri.dropFirst(from.count)
        }
        return uri
    }

    /// A FileIO for local files only.
    public static let local = FileIO { bucket in LocalObjectStore(root: "/s3-not-configured/\(bucket)") }

    /// The store and key for `uri`.
    public func resolve(_ original: String) throws(IcebergError) -> (store: any ObjectStore, key: String) {
        let uri = mapped(original)
        for scheme in ["s3://", "s3a://", "s3n://"] where uri.hasPrefix(scheme) {
            let rest = uri.dropFirst(scheme.count)
            guard let slash = rest.firstIndex(of: "/") else { return (s3Store(String(rest)), "") }
            return (s3Store(String(rest[..<slash])), String(rest[rest.index(after: slash)...]))
        }
        if uri.hasPrefix("file://") {
            return (LocalObjectStore(root: "/"), String(uri.dropFirst("file://".count).drop(while: { $0 == "/" })))
        }
        if uri.hasPrefix("/") { return (LocalObjectStore(root: "/"), String(uri.drop(while: { $0 == "/" }))) }
        throw IcebergError(.invalidConfiguration, "unsupported location scheme", object: original)
    }

    /// The whole object at `uri`.
    /// - Throws: `.missingObject` when it does not exist, `.storage` for other failures.
    public func read(_ uri: String) async throws(IcebergError) -> [UInt8] {
        let (store, key) = try resolve(uri)
        do {
            return try await store.get(key)
        } catch let error as ObjectStoreError where error.code == .noSuchKey {
            throw IcebergError(.missingObject, "object does not exist", object: uri, underlying: error)
        } catch {
            throw IcebergError(.storage, "cannot read", object: uri, underlying: error as? any Error & Sendable)
        }
    }

    /// Objects below `uri` (a directory-like prefix), with their full URIs.
    public func list(_ uri: String) async throws(IcebergError) -> [(uri: String, info: ObjectInfo)] {
        let (store, key) = try resolve(uri)
        var base = String(mapped(uri).dropLast(key.count))
        if !base.hasSuffix("/") { base += "/" }
        do {
            return try await store.listAll(prefix: key).map { (base + $0.key, $0) }
        } catch {
            throw IcebergError(.storage, "cannot list", object: uri, underlying: error as? any Error & Sendable)
        }
    }
}
