import BoundedWork
import Columnar
import Parquet

/// Stage 3: every row group of every opened file: its projected column chunks fetched with
/// coalesced ranged reads, `fetchAhead` row groups at once, and decoded and projected onto the
/// table's schema, `concurrency` at once (``AsyncPermits``): row groups wait on the network
/// while others use the cores, so an object store's latency is hidden without running more
/// CPU work than there are cores. A row group that fails is passed on as its file's failure;
/// the build stage drops the file's later row groups.
///
/// Buffering: an ``OrderedWindow`` of `fetchAhead` row groups admitted and not yet passed on
/// (fetching, fetched, decoding or decoded); output keeps file and row-group order. Backpressure is the
/// output channel's byte watermark: its send suspends this stage while the builder is behind.
struct RowGroupDecodeStage: Sendable {
    /// Row groups decoded at once.
    let concurrency: Int
    /// Row groups fetched (or fetched and waiting to decode) at once; at least `concurrency`.
    let fetchAhead: Int
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
        let permits = AsyncPermits(concurrency)
        let fetchAhead = max(concurrency, self.fetchAhead)
        var queued: [WindowInput<Job, DecodedWork>] = []
        var position = 0
        try await OrderedWindow<DecodedWork>.run(
            limit: fetchAhead, lookahead: fetchAhead,
            next: {
                if position == queued.count {
                    guard let item = await input.next() else { return nil }
                    queued = Self.inputs(for: item)
                    position = 0
                }
                position += 1
                return queued[position - 1]
            },
            perform: { job in try await Self.decode(job, permits: permits, context: context) },
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
    private static func decode(_ job: Job, permits: AsyncPermits, context: PipelineContext) async throws -> DecodedWork {
        let file = job.file
        do {
            let fetched = try await file.reader.fetchRowGroup(job.rowGroup, fields: file.projection.decodeFields)
            let projected = try await permits.withPermit {
                try Task.checkCancellation()
                return file.projection.apply(try fetched.decode())
            }
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
