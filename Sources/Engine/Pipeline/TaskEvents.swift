import Foundation
import Metrics
import Parquet
import Synchronization

/// Progress of a running task, as the library reports it (``IngestionTask/events()``) and the
/// CLI prints it (one updating line, or JSON lines with `--json`).
public enum TaskEvent: Sendable {
    case runStarted(task: String)
    case filesDiscovered(step: String, snapshotId: Int64?, files: Int, segmentGroups: Int)
    case rowGroupDecoded(file: String, rowGroup: Int, rows: Int, bytes: Int)
    case fileIngested(file: String, rows: Int)
    case fileSkipped(file: String, error: ErrorReport)
    case segmentSealed(name: String, rows: Int, bytes: Int)
    case segmentPushed(name: String, rows: Int, bytes: Int, seconds: Double)
    case snapshotCheckpointed(step: String, snapshotId: Int64?)
    case runFinished(TaskStatus)
}

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

    func finish() {
        subscribers.withLock { subscribers in
            for continuation in subscribers.values { continuation.finish() }
            subscribers.removeAll()
        }
    }
}

/// What is in flight between fetch, decode and build, with the peaks a run saw: the bound that
/// backpressure keeps.
public struct PipelineGauges: Sendable, Equatable {
    /// Decoded row groups not yet consumed by the builder (in decode, waiting, or in the channel).
    public var rowGroupsInFlight = 0
    public var peakRowGroupsInFlight = 0
    /// Their bytes.
    public var bytesInFlight = 0
    public var peakBytesInFlight = 0
    /// Sealed segments not yet pushed.
    public var sealedInFlight = 0
    public var peakSealedInFlight = 0
}

final class GaugeBox: Sendable {
    private let state = Mutex(PipelineGauges())

    var value: PipelineGauges { state.withLock { $0 } }

    func decoded(bytes: Int) {
        state.withLock { g in
            g.rowGroupsInFlight += 1
            g.bytesInFlight += bytes
            g.peakRowGroupsInFlight = max(g.peakRowGroupsInFlight, g.rowGroupsInFlight)
            g.peakBytesInFlight = max(g.peakBytesInFlight, g.bytesInFlight)
        }
    }

    func consumed(bytes: Int) {
        state.withLock { g in
            g.rowGroupsInFlight -= 1
            g.bytesInFlight -= bytes
        }
    }

    func sealed() {
        state.withLock { g in
            g.sealedInFlight += 1
            g.peakSealedInFlight = max(g.peakSealedInFlight, g.sealedInFlight)
        }
    }

    func pushed() { state.withLock { $0.sealedInFlight -= 1 } }
}

/// The task's counters and timers in swift-metrics (a backend, when the host process
/// bootstraps one, exports them; otherwise they cost nothing).
struct TaskMetrics: Sendable {
    let filesIngested: Counter
    let filesSkipped: Counter
    let rows: Counter
    let bytesRead: Counter
    let segmentsSealed: Counter
    let segmentsPushed: Counter
    let pushLatency: Metrics.Timer

    init(task: String) {
        let dimensions = [("task", task)]
        filesIngested = Counter(label: "lakeingest_files_ingested_total", dimensions: dimensions)
        filesSkipped = Counter(label: "lakeingest_files_skipped_total", dimensions: dimensions)
        rows = Counter(label: "lakeingest_rows_ingested_total", dimensions: dimensions)
        bytesRead = Counter(label: "lakeingest_bytes_read_total", dimensions: dimensions)
        segmentsSealed = Counter(label: "lakeingest_segments_sealed_total", dimensions: dimensions)
        segmentsPushed = Counter(label: "lakeingest_segments_pushed_total", dimensions: dimensions)
        pushLatency = Metrics.Timer(label: "lakeingest_push_duration", dimensions: dimensions)
    }
}

/// A Parquet byte source that counts the bytes it reads (the `bytes read` counter).
struct CountingSource: RandomAccessReader {
    let inner: ObjectParquetSource
    let counter: Counter
    let total: ByteTotal

    func size() async throws -> Int { try await inner.size() }

    func read(_ range: Range<Int>) async throws -> [UInt8] {
        let bytes = try await inner.read(range)
        counter.increment(by: bytes.count)
        total.add(bytes.count)
        return bytes
    }

    func read(ranges: [Range<Int>]) async throws -> [[UInt8]] {
        let pieces = try await inner.read(ranges: ranges)
        let count = pieces.reduce(0) { $0 + $1.count }
        counter.increment(by: count)
        total.add(count)
        return pieces
    }
}

/// Bytes read so far in a run.
final class ByteTotal: Sendable {
    private let value = Atomic<Int>(0)
    func add(_ n: Int) { value.add(n, ordering: .relaxed) }
    var total: Int { value.load(ordering: .relaxed) }
}

extension TaskEvent {
    private static func number(_ value: Int64?) -> Any { value.map { NSNumber(value: $0) } ?? NSNull() }

    /// The event as one line of JSON (`{"event": "segmentPushed", ...}`), for `run --json`.
    public var jsonLine: String {
        var fields: [String: Any] = [:]
        let name: String
        switch self {
        case .runStarted(let task):
            name = "runStarted"
            fields["task"] = task
        case .filesDiscovered(let step, let snapshotId, let files, let groups):
            name = "filesDiscovered"
            fields = ["step": step, "snapshotId": Self.number(snapshotId), "files": files, "segmentGroups": groups]
        case .rowGroupDecoded(let file, let rowGroup, let rows, let bytes):
            name = "rowGroupDecoded"
            fields = ["file": file, "rowGroup": rowGroup, "rows": rows, "bytes": bytes]
        case .fileIngested(let file, let rows):
            name = "fileIngested"
            fields = ["file": file, "rows": rows]
        case .fileSkipped(let file, let error):
            name = "fileSkipped"
            fields = ["file": file, "category": error.category, "error": error.message]
        case .segmentSealed(let segment, let rows, let bytes):
            name = "segmentSealed"
            fields = ["segment": segment, "rows": rows, "bytes": bytes]
        case .segmentPushed(let segment, let rows, let bytes, let seconds):
            name = "segmentPushed"
            fields = ["segment": segment, "rows": rows, "bytes": bytes, "seconds": seconds]
        case .snapshotCheckpointed(let step, let snapshotId):
            name = "snapshotCheckpointed"
            fields = ["step": step, "snapshotId": Self.number(snapshotId)]
        case .runFinished(let status):
            name = "runFinished"
            fields = ["state": status.state.rawValue, "segmentsPushed": status.segmentsPushed, "rowsIngested": status.rowsIngested,
                      "lastIngestedSnapshotId": Self.number(status.lastIngestedSnapshotId)]
            if let error = status.error { fields["error"] = ["category": error.category, "message": error.message] }
        }
        fields["event"] = name
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{\"event\":\"\(name)\"}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
