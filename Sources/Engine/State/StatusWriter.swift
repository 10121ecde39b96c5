import Synchronization

/// Writes a worker's status to object storage in the background: the status changes with
/// every segment pushed, and a run must not wait on a PUT for each. The latest status replaces
/// one not yet written; ``flush()`` returns once the latest is stored.
final class StatusWriter: Sendable {
    private let store: any StateStore
    private let name: String
    private let state = Mutex<(pending: [UInt8]?, writer: Task<Void, Never>?)>((nil, nil))

    init(store: any StateStore, name: String) {
        self.store = store
        self.name = name
    }

    func submit(_ bytes: [UInt8]) {
        state.withLock { state in
            state.pending = bytes
            guard state.writer == nil else { return }
            state.writer = Task { await self.drain() }
        }
    }

    private func drain() async {
        while true {
            let next: [UInt8]? = state.withLock { state in
                let next = state.pending
                state.pending = nil
                if next == nil { state.writer = nil }
                return next
            }
            guard let next else { return }
            // A status write that fails is retried with the next status; the run goes on.
            _ = try? await store.write(name, next)
        }
    }

    func flush() async {
        while let writer = state.withLock({ $0.writer }) {
            await writer.value
        }
    }
}
