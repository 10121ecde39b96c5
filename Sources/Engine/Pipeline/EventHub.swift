import Synchronization

/// Fans events out to every subscriber; with none, events cost a lock and nothing else. A
/// subscriber that falls behind by more than 4,096 events loses the oldest (progress, not data).
final class EventHub: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<TaskEvent>.Continuation]>([:])
    private let nextId = Atomic<Int>(0)

    func stream() -> AsyncStream<TaskEvent> {
        let id = nextId.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<TaskEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    func emit(_ event: TaskEvent) {
        subscribers.withLock { subscribers in
            for continuation in subscribers.values { continuation.yield(event) }
        }
    }

    /// Ends every subscriber's sequence after the events already emitted.
    func finish() {
        let ended = subscribers.withLock { subscribers in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in ended { continuation.finish() }
    }
}
