import ObjectStore
import Synchronization

/// Wraps a store and records every GET's range (a request each).
final class CountingStore: ObjectStore {
    let inner: any ObjectStore
    let gets = Mutex<[ByteRange?]>([])

    init(_ inner: any ObjectStore) { self.inner = inner }

    var getCount: Int { gets.withLock { $0.count } }

    func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> { inner.list(prefix: prefix) }
    func head(_ key: String) async throws -> ObjectInfo { try await inner.head(key) }
    func put(_ key: String, body: [UInt8]) async throws { try await inner.put(key, body: body) }
    func get(_ key: String, range: ByteRange?) async throws -> [UInt8] {
        gets.withLock { $0.append(range) }
        return try await inner.get(key, range: range)
    }
}
