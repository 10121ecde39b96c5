import Engine
import Pinot
import Synchronization

/// A ``SegmentPusher`` that records what it was given: the schema of each `prepare` and each
/// segment pushed, in order. It can wait `delay` before each push (a slow target, for
/// backpressure tests) and pass everything on to another pusher (a folder, to read back).
public final class RecordingPusher: SegmentPusher {
    public let next: (any SegmentPusher)?
    public let delay: Duration?
    private let recorded = Mutex<(schemas: [PinotSchema], segments: [SealedSegment])>(([], []))

    public init(forwardingTo next: (any SegmentPusher)? = nil, delay: Duration? = nil) {
        self.next = next
        self.delay = delay
    }

    /// The schemas `prepare` was called with, in order.
    public var preparedSchemas: [PinotSchema] { recorded.withLock { $0.schemas } }
    /// The segments pushed (after the forwarded push returned), in order.
    public var pushed: [SealedSegment] { recorded.withLock { $0.segments } }
    public var pushCount: Int { recorded.withLock { $0.segments.count } }

    public func prepare(schema: PinotSchema, first: SealedSegment) async throws {
        try await next?.prepare(schema: schema, first: first)
        recorded.withLock { $0.schemas.append(schema) }
    }

    public func push(_ segment: SealedSegment) async throws {
        if let delay { try await Task.sleep(for: delay) }
        try await next?.push(segment)
        recorded.withLock { $0.segments.append(segment) }
    }

    public func tableConfigJSON() async throws -> [UInt8]? {
        try await next?.tableConfigJSON()
    }

    public func beginSwap(from: [String], to: [String], forceCleanup: Bool) async throws -> String? {
        try await next?.beginSwap(from: from, to: to, forceCleanup: forceCleanup)
    }

    public func endSwap(id: String?, from: [String], to: [String]) async throws {
        try await next?.endSwap(id: id, from: from, to: to)
    }

    public func swapCompleted(id: String?, from: [String], to: [String]) async throws -> Bool {
        try await next?.swapCompleted(id: id, from: from, to: to) ?? false
    }

    public func revertSwap(id: String?, from: [String], to: [String]) async throws {
        try await next?.revertSwap(id: id, from: from, to: to)
    }
}
