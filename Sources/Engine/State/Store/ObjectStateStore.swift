import Failures
import ObjectStore

/// The state under an `s3://bucket/prefix/`, shared by every worker that reaches it: a
/// creation is a PUT with `If-None-Match: *`, an update a PUT with `If-Match` on the ETag read
/// (S3 conditional writes). A `412` means another writer won; a `409 ConditionalRequestConflict`
/// is retried a few times (the read-decide-write around it is the caller's).
struct ObjectStateStore: StateStore {
    let store: S3ObjectStore
    /// The key prefix, empty or ending in `/`.
    let prefix: String

    var location: String { "s3://\(store.bucket)/\(prefix)" }
    var isLocal: Bool { false }

    func read(_ name: String) async throws(EngineError) -> StateObject? {
        do {
            let (body, etag) = try await store.getVersioned(prefix + name)
            return StateObject(bytes: body, version: etag ?? LocalStateStore.version(body))
        } catch let error as ObjectStoreError where error.code == .noSuchKey {
            return nil
        } catch {
            throw failure("cannot read", name, error)
        }
    }

    func create(_ name: String, _ bytes: [UInt8]) async throws(EngineError) -> String? {
        try await conditional(name, bytes, .absent)
    }

    func replace(_ name: String, _ bytes: [UInt8], ifVersion version: String?) async throws(EngineError) -> String? {
        guard let version else {
            do {
                try await store.put(prefix + name, body: bytes)
                return LocalStateStore.version(bytes)
            } catch {
                throw failure("cannot write", name, error)
            }
        }
        return try await conditional(name, bytes, .matching(version))
    }

    private func conditional(_ name: String, _ bytes: [UInt8], _ condition: WriteCondition) async throws(EngineError) -> String? {
        var attempt = 0
        while true {
            do {
                return try await store.put(prefix + name, body: bytes, condition: condition) ?? LocalStateStore.version(bytes)
            } catch let error as ObjectStoreError where error.code == .preconditionFailed {
                return nil
            } catch let error as ObjectStoreError where error.code == .noSuchKey {
                // If-Match on an object removed since it was read.
                return nil
            } catch let error as ObjectStoreError where error.code == .conflict && attempt < 4 {
                attempt += 1
                try? await Task.sleep(for: .milliseconds(20 << attempt))
            } catch {
                throw failure("cannot write", name, error)
            }
        }
    }

    func list(_ sub: String) async throws(EngineError) -> [String] {
        do {
            return try await store.listAll(prefix: prefix + sub).map { String($0.key.dropFirst(prefix.count)) }.sorted()
        } catch {
            throw failure("cannot list", sub, error)
        }
    }

    func remove(_ name: String) async throws(EngineError) {
        do {
            try await store.delete(prefix + name)
        } catch let error as ObjectStoreError where error.code == .noSuchKey {
            return
        } catch {
            throw failure("cannot remove", name, error)
        }
    }

    private func failure(_ what: String, _ name: String, _ error: any Error) -> EngineError {
        let code: EngineError.Code = (error as? ObjectStoreError)?.category == .credentials ? .credentials : .io
        return EngineError(code, "\(what) the task state \(location)\(name): \(error)", file: location + name, underlying: error)
    }
}
