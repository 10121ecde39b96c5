import Foundation

/// What a listing or a HEAD tells about one object.
public struct ObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int
    /// The entity tag without quotes, where the store has one.
    public var etag: String?
    /// Last modification as seconds since the epoch, where known.
    public var lastModified: Double?

    public init(key: String, size: Int, etag: String? = nil, lastModified: Double? = nil) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// The bytes of an object to read.
public enum ByteRange: Sendable, Equatable, CustomStringConvertible {
    /// `range.lowerBound ..< range.upperBound`; a range past the end is cut at the end, and one
    /// that starts past the end is `.invalidRange`.
    case bounded(Range<Int>)
    /// The last `n` bytes (all of them if the object is shorter): how footers are read.
    case suffix(Int)

    public var description: String {
        switch self {
        case .bounded(let range): "bytes=\(range.lowerBound)-\(range.upperBound - 1)"
        case .suffix(let n): "bytes=-\(n)"
        }
    }
}

/// An object store: S3 (or an S3-compatible server) or local files. Everything the engine reads
/// (Iceberg metadata, Avro manifests, Parquet files) and the deep-store copy of a METADATA push
/// go through it.
public protocol ObjectStore: Sendable {
    /// Every object whose key starts with `prefix`, in key order, all pages.
    func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error>
    /// The object's size and entity tag.
    /// - Throws: `ObjectStoreError` (`.noSuchKey`, `.accessDenied`, …).
    func head(_ key: String) async throws -> ObjectInfo
    /// The whole object (`range` nil) or the bytes of `range`.
    func get(_ key: String, range: ByteRange?) async throws -> [UInt8]
    /// Stores `body` under `key`, replacing any object there.
    func put(_ key: String, body: [UInt8]) async throws
    /// Stores the local file at `path` under `key` without holding it in memory whole (S3:
    /// multipart upload above a part size), replacing any object there.
    func putFile(_ key: String, path: String) async throws
}

extension ObjectStore {
    /// Reads the file whole and puts it (stores without a streaming upload).
    public func putFile(_ key: String, path: String) async throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ObjectStoreError(.io, "cannot read \(path)", key: key)
        }
        try await put(key, body: [UInt8](data))
    }

    /// The whole object.
    public func get(_ key: String) async throws -> [UInt8] { try await get(key, range: nil) }

    /// Collects a listing.
    public func listAll(prefix: String) async throws -> [ObjectInfo] {
        var result: [ObjectInfo] = []
        for try await object in list(prefix: prefix) { result.append(object) }
        return result
    }
}
