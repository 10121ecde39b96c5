import Columnar
import Pinot

/// Stage 4: appends decoded row groups, in order, to the open segment and seals it where the
/// ``SegmentCutter`` says, into a tarball in the state's local `work` folder (``SegmentSealer``). This type is
/// the thin loop around the cutter: it carries out the cutter's actions on the builder and sends
/// the results on; a file that fails part-way is taken back out of the open segment
/// (``SegmentBuilder/truncate(toRows:)``) and reported skipped when `continueOnFileError` is set,
/// otherwise its error ends the run.
///
/// Built inside its own child task and used by it alone.
struct SegmentBuildStage {
    private let context: PipelineContext
    private let builder: SegmentBuilder
    private var cutter: SegmentCutter
    private let appender: RowGroupAppender
    /// The file in hand's dropped rows and cut values: reported when it ends, forgotten when it
    /// is skipped.
    private var fileOutcome = RowGroupAppender.Outcome()
    /// Rows that row-level deletes removed from the open segment, by delete file and data file;
    /// and the file in hand's share of them, forgotten when the file is skipped.
    private var segmentDeletes: [DeleteSource: Int] = [:]
    private var fileDeletes: [DeleteSource: Int] = [:]

    private struct DeleteSource: Hashable {
        var delete: String
        var dataFile: String
    }

    init(context: PipelineContext) throws {
        self.context = context
        builder = try SegmentBuilder(schema: context.plan.pinotSchema, table: context.tableConfig)
        let configuration = context.configuration
        appender = RowGroupAppender(builder: builder, continueOnRowError: configuration.continueOnRowError,
                                    concurrency: configuration.pipeline.buildConcurrency)
        cutter = SegmentCutter(
            table: configuration.table,
            limits: .init(maxRows: configuration.segments.maxRowsPerSegment, maxBytes: configuration.segments.maxBytesPerSegment),
            continueOnFileError: configuration.continueOnFileError)
    }

    private var size: SegmentCutter.BuilderSize {
        .init(rows: builder.rowCount, bytes: builder.estimatedBytes, largestColumn: builder.largestColumnBytes)
    }

    mutating func run(input: StageChannel.Receiver<DecodedWork>, output: StageChannel.Sender<BuiltWork>) async throws {
        defer { output.finish() }
        while let item = await input.next() {
            try Task.checkCancellation()
            switch item {
            case .marker(let marker):
                switch marker {
                case .stepStarted(let step):
                    cutter.stepStarted(step)
                case .groupEnd(let stepId, let group):
                    switch cutter.groupEnded(group, size: size) {
                    case .seal(let cut): try await seal(cut, output: output)
                    case .groupComplete(let group): try await output.send(.groupComplete(stepId: stepId, group: group))
                    }
                case .file, .stepEnd:
                    break
                }
                try await output.send(.marker(marker))
            case .rowGroup(let decoded):
                defer { context.gauges.consumed(bytes: decoded.bytes) }
                try await add(decoded, output: output)
            case .fileEnd(let work, _):
                if let rows = cutter.fileEnded(Self.key(work)) {
                    context.progress.rowsChecked(fileOutcome)
                    try await output.send(.fileIngested(work, rows: rows))
                }
                fileOutcome = .init()
                fileDeletes = [:]
            case .fileFailed(let work, let error):
                switch cutter.fileFailed(Self.key(work), path: work.file.path) {
                case .ignore:
                    break
                case .fail:
                    throw error.suggestingSkip()
                case .failSealed:
                    var unskippable = error
                    unskippable.message += "; the file's first rows are already in a sealed segment of its group, so it cannot be skipped"
                    throw unskippable
                case .skip(let truncateTo):
                    if let truncateTo { builder.truncate(toRows: truncateTo) }
                    fileOutcome = .init()
                    for source in fileDeletes.keys { segmentDeletes[source] = nil }
                    fileDeletes = [:]
                    try await output.send(.fileSkipped(work, error))
                }
            }
        }
    }

    private static func key(_ work: FileWork) -> SegmentCutter.FileKey { .init(stepId: work.stepId, index: work.index) }

    /// Carries out the cutter's actions for one row group until it is in.
    private mutating func add(_ decoded: DecodedRowGroup, output: StageChannel.Sender<BuiltWork>) async throws {
        let batch = decoded.batch
        let shape = SegmentCutter.RowGroup(
            file: Self.key(decoded.work), path: decoded.work.file.path, group: decoded.work.group, rowGroup: decoded.rowGroup,
            firstRow: decoded.firstRow, rows: batch.rowCount, variableBytes: batch.columns.map { $0.storage.variableBytes }.max() ?? 0,
            bytes: decoded.bytes)
        var action = cutter.rowGroup(shape, size: size)
        while true {
            switch action {
            case .append(let rows):
                let outcome = try await appender.append(decoded, rows: rows)
                fileOutcome.dropped += outcome.dropped
                fileOutcome.cuts.merge(outcome.cuts, uniquingKeysWith: +)
                fileOutcome.deleted += outcome.deleted
                for (delete, rows) in outcome.deletedBy {
                    let source = DeleteSource(delete: delete, dataFile: decoded.work.file.path)
                    segmentDeletes[source, default: 0] += rows
                    fileDeletes[source, default: 0] += rows
                }
                FaultInjection.reached("appended")
                action = cutter.appended(size: size, dropped: outcome.dropped.count + outcome.deleted)
            case .seal(let cut):
                try await seal(cut, output: output)
                action = cutter.sealed(size: size)
            case .done, .drop:
                return
            }
        }
    }

    private mutating func seal(_ cut: SegmentCutter.Cut, output: StageChannel.Sender<BuiltWork>) async throws {
        var cut = cut
        cut.deletes = segmentDeletes.map { AppliedDelete(path: $0.key.delete, dataFile: $0.key.dataFile, rows: $0.value) }
            .sorted { ($0.path, $0.dataFile) < ($1.path, $1.dataFile) }
        segmentDeletes = [:]
        fileDeletes = [:]
        let configuration = context.configuration
        let compression = configuration.push.tarCompression
        let path = context.workPath + "/" + cut.name + compression.fileExtension
        let rows = builder.rowCount
        let result: SegmentSealer.Result
        do {
            result = try await SegmentSealer.seal(builder, name: cut.name, to: path, compression: compression,
                                                  concurrency: configuration.pipeline.buildConcurrency)
        } catch let error as SegmentError {
            throw EngineError(error.code == .invalidValue ? .schemaMismatch : .io, "cannot seal segment \(cut.name): \(error.message)",
                              file: cut.files.count == 1 ? cut.files[0].path : nil, column: error.column, underlying: error)
        }
        FaultInjection.reached("sealed")
        context.metrics.segmentsSealed.increment()
        context.progress.segmentSealed()
        context.events.emit(.segmentSealed(name: cut.name, rows: rows, bytes: result.bytes))
        context.gauges.sealed()
        let segment = SealedSegment(name: cut.name, tarball: result.path, tarballBytes: result.bytes, compression: compression,
                                    rows: rows, summary: result.summary)
        try await output.send(.sealed(segment, cut: cut))
    }
}
