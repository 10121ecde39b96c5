import ObjectStore

/// Reads Iceberg's files by URI through object stores: S3 buckets through a store made per
/// bucket, local paths through a `LocalObjectStore` at the file system root. URIs are read as the
/// writers of real lakes record them: `s3://`, Hadoop's `s3a://` and `s3n://` (open-source
/// Spark), `file:///path`, Hadoop's `file:/path` (Spark's local file IO), and `/path`.
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
        copy.mappings.append((trim(Self.canonical(from)), trim(Self.canonical(to))))
        return copy
    }

    /// `uri` after the prefix rewrites, in its canonical form (``canonical(_:)``).
    public func mapped(_ original: String) -> String {
        let uri = Self.canonical(original)
        for (from, to) in mappings where uri == from || uri.hasPrefix(from + "/") {
            return to + uri.dropFirst(from.count)
        }
        return uri
    }

    /// One spelling per location: `s3a://` and `s3n://` as `s3://`; `file:/x`, `file://x` and
    /// `file:///x` as `file:///x`.
    public static func canonical(_ uri: String) -> String {
        for scheme in ["s3a://", "s3n://"] where uri.hasPrefix(scheme) { return "s3://" + uri.dropFirst(scheme.count) }
        if uri.hasPrefix("file:") { return "file:///" + uri.dropFirst("file:".count).drop(while: { $0 == "/" }) }
        return uri
    }

    /// A FileIO for local files only.
    public static let local = FileIO { bucket in LocalObjectStore(root: "/s3-not-configured/\(bucket)") }

    /// The store and key for `uri`.
    public func resolve(_ original: String) throws(IcebergError) -> (store: any ObjectStore, key: String) {
        let uri = mapped(original)
        if uri.hasPrefix("s3://") {
            let rest = uri.dropFirst("s3://".count)
            guard let slash = rest.firstIndex(of: "/") else { return (s3Store(String(rest)), "") }
            return (s3Store(String(rest[..<slash])), String(rest[rest.index(after: slash)...]))
        }
        if uri.hasPrefix("file:///") {
            return (LocalObjectStore(root: "/"), String(uri.dropFirst("file:///".count)))
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
