import Metrics

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
        pushLatency = Metrics.Timer(label: "lakeingest_push_duration_seconds", dimensions: dimensions)
    }
}

