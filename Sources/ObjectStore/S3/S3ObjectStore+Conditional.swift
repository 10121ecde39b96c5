/// What a conditional write requires of the object it replaces (S3 conditional writes).
public enum WriteCondition: Sendable, Equatable {
    /// `If-None-Match: *`: only when no object has the key.
    case absent
    /// `If-Match: <etag>`: only while the object is the version with this ETag.
    case matching(String)
}

/// Conditional writes, reads that return the version read, and deletes: what a state store
/// shared by several workers needs of S3.
extension S3ObjectStore {
    /// Stores `body` under `key` if `condition` holds.
    /// - Returns: the new object's ETag.
    /// - Throws: `.preconditionFailed` when the condition did not hold (another writer won),
    ///   `.conflict` when a concurrent conditional write got in the way (read again, retry),
    ///   `.noSuchKey` for `.matching` on a key that no longer exists.
    public func put(_ key: String, body: [UInt8], condition: WriteCondition) async throws -> String? {
        let header: (String, String) = switch condition {
        case .absent: ("if-none-match", "*")
        case .matching(let etag): ("if-match", "\"\(etag)\"")
        }
        let response = try await send(method: .PUT, key: key, body: body, extraHeaders: [header])
        return response.headers.first(name: "etag").map(Self.unquote)
    }

    /// The whole object and its ETag (the version a later `.matching` write names).
    public func getVersioned(_ key: String) async throws -> (body: [UInt8], etag: String?) {
        let response = try await send(method: .GET, key: key)
        return (response.body, response.headers.first(name: "etag").map(Self.unquote))
    }

    /// Removes the object (S3 answers success for a key that does not exist).
    public func delete(_ key: String) async throws {
        _ = try await send(method: .DELETE, key: key, readBody: true)
    }
}
