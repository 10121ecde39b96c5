import BoundedWork
import Columnar
import Parquet

/// Stage 3: every row group of every opened file, `concurrency` at once: each one's projected
/// column chunks fetched with coalesced ranged reads, decoded in a task of its own (so the next
/// row group's chunks are being fetched while one decodes), and projected onto the table's
/// schema. A row group that fails is passed on as its file's failure; the build stage drops the
/// file's later row groups.
///
/// Buffering: an ``OrderedWindow`` of `concurrency` row groups, which are also all it admits
/// before passing them on (a large file's decoded row group can weigh tens of MB: more of them
/// waiting cost memory and bought no speed, measured); output keeps file and row-group order.
/// Backpressure is the output channel's byte watermark: its send suspends this stage while the
/// builder is behind.
struct RowGroupDecodeStage: Sendable {
    let concurrency: Int
    let context: PipelineContext

    /// One row group to fetch and decode.
    struct Job: Sendable {
        let file: OpenedFile
        let rowGroup: Int
        /// The row group's first row, counted from the file's first row.
        let firstRow: Int
    }

    func run(input: StageChannel.Receiver<FetchedWork>, output: StageChannel.Sender<DecodedWork>) async throws {
        defer { output.finish() }
        let context = self.context
        var queued: [WindowInput<Job, DecodedWork>] = []
        var position = 0
        try await OrderedWindow<DecodedWork>.run(
            limit: concurrency, lookahead: concurrency,
            next: {
                if position == queued.count {
                    guard let item = await input.next() else { return nil }
                    queued = Self.inputs(for: item)
                    position = 0
                }
                position += 1
                return queued[position - 1]
            },
            perform: { job in try await Self.decode(job, context: context) },
            release: { try await output.send($0) })
    }

    /// A fetched item as window inputs: an opened file's row groups, then its end.
    static func inputs(for item: FetchedWork) -> [WindowInput<Job, DecodedWork>] {
        switch item {
        case .marker(let marker):
            return [.pass(.marker(marker))]
        case .failed(let work, let error):
            return [.pass(.fileFailed(work, error))]
        case .opened(let file):
            var inputs: [WindowInput<Job, DecodedWork>] = []
            var firstRow = 0
            for (index, rowGroup) in file.reader.metadata.rowGroups.enumerated() {
                inputs.append(.job(Job(file: file, rowGroup: index, firstRow: firstRow)))
                firstRow += Int(clamping: max(0, rowGroup.numRows))
            }
            inputs.append(.pass(.fileEnd(file.work, rowGroups: file.reader.metadata.rowGroups.count)))
            return inputs
        }
    }

    /// Fetches, decodes and projects one row group.
    private static func decode(_ job: Job, context: PipelineContext) async throws -> DecodedWork {
        let file = job.file
        do {
            let batch = try await file.reader.readRowGroup(job.rowGroup, fields: file.projection.decodeFields)
            let projected = file.projection.apply(batch)
            let bytes = projected.estimatedBytes
            context.gauges.decoded(bytes: bytes)
            context.events.emit(.rowGroupDecoded(file: file.work.file.path, rowGroup: job.rowGroup, rows: projected.rowCount, bytes: bytes))
            FaultInjection.reached("decoded")
            var decoded = DecodedRowGroup(work: file.work, rowGroup: job.rowGroup, firstRow: job.firstRow, batch: projected, bytes: bytes)
            (decoded.deleted, decoded.deletedBy) = try file.deletes.deletedRows(in: projected, firstRow: job.firstRow, file: file.work.file.path)
            return .rowGroup(decoded)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return .fileFailed(file.work, FailureReport.engineError(error, file: file.work.file.path, context: "cannot decode row group \(job.rowGroup)"))
        }
    }
}
