import ObjectStore
import Columnar
import Pinot
import Parquet

/// What the stages share: the run's plan, table config and options, how to open a data file,
/// and where counts go (metrics, events, gauges, the run's progress).
struct PipelineContext: Sendable {
    let configuration: TaskConfiguration
    let plan: RunPlan
    let tableConfig: TableConfig
    let metrics: TaskMetrics
    let events: EventHub
    let gauges: GaugeBox
    let progress: RunProgress
    /// Reads the row-level delete files the plan names, each once.
    let deletes: DeleteLoader
    /// The local folder sealed tarballs wait in until pushed (the state's `work`).
    let workPath: String

    /// Reads a file's footer and projects its schema onto the table's.
    func open(_ work: FileWork) async throws -> OpenedFile {
        let file = work.file
        guard file.format.uppercased() == "PARQUET" else {
            throw EngineError(.unsupported, "data file format \(file.format) is not ingested (only PARQUET data files are read)", file: file.path)
        }
        let (store, key) = try plan.io.resolve(file.path)
        // A file within one request's worth of bytes is read whole, footer and chunks at once.
        let source = CountingSource(inner: ObjectParquetSource(store: store, key: key, size: file.size > 0 ? file.size : nil,
                                                               wholeObjectBelow: RangeCostModel.standard.maxGap),
                                    counter: metrics.bytesRead)
        let reader = try await ParquetFileReader(source: source, name: file.path)
        let fields = try reader.outputFields(try reader.fieldIndices(nil))
        let projection: FileProjection
        if let table = plan.table {
            projection = try FileProjection.iceberg(file: file, fileFields: fields, table: table,
                                                    includePartitionColumns: configuration.schema.includePartitionColumns,
                                                    excluded: Set(configuration.schema.excludeColumns))
        } else {
            var partitions: [String: Value] = [:]
            for (name, text) in HivePartitions.values(of: file.path, under: configuration.source.location ?? "") {
                if let type = plan.referenceTypes[name] { partitions[name] = HivePartitions.value(text, type: type) }
            }
            projection = try FileProjection.byName(file: file.path, fileFields: fields, schema: plan.pinotSchema, reference: plan.referenceTypes,
                                                   partitions: partitions)
        }
        var opened = OpenedFile(work: work, reader: reader, projection: projection)
        opened.deletes = try await deletes.load(file.deletes, for: file.path)
        return opened
    }
}

extension PipelineContext {
    /// A step reached the push stage: counted in the status and announced.
    func reportStepStarted(_ step: IngestionStep) {
        progress.stepStarted(step)
        events.emit(.filesDiscovered(step: step.id, snapshotId: step.snapshotId, files: step.files.count, segmentGroups: step.groups.count))
    }

    /// A file's rows are all in sealed segments.
    func reportFileIngested(_ work: FileWork, rows: Int) {
        progress.fileIngested()
        metrics.filesIngested.increment()
        events.emit(.fileIngested(file: work.file.path, rows: rows))
    }

    /// A file was left out (`continueOnFileError`).
    func reportFileSkipped(_ work: FileWork, _ error: EngineError) {
        let report = FailureReport.report(error)
        progress.fileSkipped(work.file.path, report)
        metrics.filesSkipped.increment()
        events.emit(.fileSkipped(file: work.file.path, error: report))
    }
}
