import Columnar
import Foundation
import Iceberg
import Parquet
import Pinot

/// Stage 2: opens data files — each footer in one or two ranged reads — `concurrency` at once,
/// ahead of decoding, and works out each file's projection onto the table schema. Output keeps
/// the input's order. A file that cannot be opened (missing, corrupt footer, not Parquet, a
/// schema that does not fit) is passed on as `.failed`, and the builder decides whether that
/// ends the run or skips the file.
///
/// Buffering: at most `concurrency` opens run and at most `2 × concurrency` finished ones wait
/// for their turn; the output channel's send suspends when decoding is behind.
struct FileFetcher: Sendable {
    let concurrency: Int
    let context: PipelineContext

    func run(input: StageChannel.Receiver<DiscoveredWork>, output: StageChannel.Sender<FetchedWork>) async throws {
        defer { output.finish() }
        try await withThrowingTaskGroup(of: (Int, FetchedWork).self) { group in
            var ready: [Int: FetchedWork] = [:]
            var issued = 0, next = 0, running = 0
            func flush() async throws {
                while let item = ready.removeValue(forKey: next) {
                    try await output.send(item)
                    next += 1
                }
            }
            func collect() async throws {
                guard let (index, item) = try await group.next() else { return }
                running -= 1
                ready[index] = item
                try await flush()
            }
            while let item = await input.next() {
                try Task.checkCancellation()
                let index = issued
                issued += 1
                guard case .file(let work) = item else {
                    ready[index] = .marker(item)
                    try await flush()
                    continue
                }
                while running >= concurrency || index - next >= 2 * concurrency { try await collect() }
                running += 1
                let context = self.context
                group.addTask {
                    do {
                        return (index, .opened(try await context.open(work)))
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        return (index, .failed(work, FailureReport.engineError(error, file: work.file.path, context: "cannot open the data file")))
                    }
                }
            }
            while running > 0 { try await collect() }
            try await flush()
        }
    }
}

/// What the stages share: the run's table and schema, how to reach files, options, counters.
struct PipelineContext: Sendable {
    let configuration: TaskConfiguration
    let plan: RunPlan
    let tableConfig: TableConfig
    let metrics: TaskMetrics
    let bytesRead: ByteTotal
    let events: EventHub
    let gauges: GaugeBox
    let progress: RunProgress
    /// The first file's column types: an S3 data lake's files are checked against them.
    let referenceTypes: [String: DataType]

    /// Reads a file's footer and projects its schema onto the table's.
    func open(_ work: FileWork) async throws -> OpenedFile {
        let file = work.file
        guard file.format.uppercased() == "PARQUET" else {
            throw EngineError(.unsupported, "data file format \(file.format) is not ingested (only PARQUET data files are read)", file: file.path)
        }
        let (store, key) = try plan.io.resolve(file.path)
        let source = CountingSource(inner: ObjectParquetSource(store: store, key: key, size: file.size > 0 ? file.size : nil),
                                    counter: metrics.bytesRead, total: bytesRead)
        let reader = try await ParquetFileReader(source: source, name: file.path)
        let fields = try reader.outputFields(try reader.fieldIndices(nil))
        let projection: FileProjection
        if let table = plan.table {
            projection = try FileProjection.iceberg(file: file, fileFields: fields, table: table,
                                                    includePartitionColumns: configuration.schema.includePartitionColumns)
        } else {
            projection = try FileProjection.byName(file: file.path, fileFields: fields, schema: plan.pinotSchema, reference: referenceTypes)
        }
        return OpenedFile(work: work, reader: reader, projection: projection)
    }
}
