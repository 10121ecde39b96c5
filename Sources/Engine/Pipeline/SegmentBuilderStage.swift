import Columnar
import Foundation
import Pinot

/// Stage 4: appends decoded row groups, in order, to the segment of their group and seals it —
/// at the group's end, before a row group that would take it past `segments.maxRowsPerSegment`
/// (a file larger than a segment is so split at row-group boundaries; a row group larger than a
/// segment is sliced), or once its stores hold `segments.maxBytesPerSegment` bytes or a column
/// nears 2 GiB. Part k of group g of a step is named by ``SegmentNaming``; the cuts depend only
/// on the data, so a rerun seals the same segments under the same names.
///
/// A file that fails part-way is taken back out of the open segment (``SegmentBuilder/truncate(toRows:)``)
/// and reported skipped when `continueOnFileError` is set; otherwise its error ends the run.
final class SegmentBuilderStage: @unchecked Sendable {
    /// A column stops growing well before Pinot's 2 GiB buffer limits.
    static let columnLimit = 1_800_000_000

    private let context: PipelineContext
    private var builder: SegmentBuilder
    private var step: IngestionStep?
    private var group = -1
    private var part = 0
    private var partFiles: [StateFolder.LedgerEntry.FileRows] = []
    /// The current file: the open segment's row count when it started, whether some of its rows
    /// are already in a sealed part, and its rows so far.
    private var fileStart: (key: String, rows: Int, sealed: Bool, rowsSoFar: Int)?

    init(context: PipelineContext) throws {
        self.context = context
        builder = try SegmentBuilder(schema: context.plan.pinotSchema, table: context.tableConfig)
    }

    private var configuration: TaskConfiguration { context.configuration }

    func run(input: StageChannel.Receiver<DecodedWork>, output: StageChannel.Sender<BuiltWork>) async throws {
        defer { output.finish() }
        while let item = await input.next() {
            try Task.checkCancellation()
            switch item {
            case .marker(let marker):
                switch marker {
                case .stepStarted(let started):
                    step = started
                    group = -1
                case .groupEnd(_, let ended):
                    startGroup(ended)
                    if builder.rowCount > 0 {
                        try await sealPart(output: output, completesGroup: true)
                    } else {
                        // No rows left (empty or skipped files, or the last part sealed early).
                        try await output.send(.groupComplete(stepId: step?.id ?? "", group: ended))
                    }
                    group = -1
                case .file, .stepEnd:
                    break
                }
                try await output.send(.marker(marker))
            case .rowGroup(let decoded):
                defer { context.gauges.consumed(bytes: decoded.bytes) }
                startGroup(decoded.work.group)
                try await append(decoded, output: output)
            case .fileEnd(let work, _):
                let rows = fileStart.map { $0.key == Self.key(work) ? $0.rowsSoFar : 0 } ?? 0
                fileStart = nil
                try await output.send(.fileIngested(work, rows: rows))
            case .fileFailed(let work, let error):
                try await fail(work, error, output: output)
            }
        }
    }

    private static func key(_ work: FileWork) -> String { work.stepId + "\u{0}" + String(work.index) }

    private func startGroup(_ index: Int) {
        guard index != group else { return }
        group = index
        part = 0
        partFiles = []
    }

    private func append(_ decoded: DecodedRowGroup, output: StageChannel.Sender<BuiltWork>) async throws {
        let key = Self.key(decoded.work)
        let batch = decoded.batch
        let maxRows = configuration.segments.maxRowsPerSegment
        let variableBytes = batch.columns.map { $0.storage.variableBytes }.max() ?? 0
        // Split at row-group boundaries when the whole row group does not fit.
        if builder.rowCount > 0 && (builder.rowCount + batch.rowCount > maxRows || builder.largestColumnBytes + variableBytes > Self.columnLimit) {
            try await sealPart(output: output, completesGroup: false)
        }
        if fileStart?.key != key { fileStart = (key, builder.rowCount, false, 0) }
        // A row group larger than a segment (rows, or a column's bytes) is sliced.
        let perSlice = variableBytes > Self.columnLimit / 2 ? max(1, batch.rowCount * (Self.columnLimit / 2) / variableBytes) : batch.rowCount
        var offset = 0
        while offset < batch.rowCount {
            let take = min(maxRows - builder.rowCount, perSlice, batch.rowCount - offset)
            do {
                try await ConcurrentAppend.add(batch, rows: offset..<(offset + take), to: builder, concurrency: configuration.pipeline.buildConcurrency)
            } catch {
                throw EngineError(.schemaMismatch, "a value does not fit the segment: \(error.message)", file: decoded.work.file.path,
                                  rowGroup: decoded.rowGroup, column: error.column, underlying: error)
            }
            FaultInjection.reached("appended")
            note(decoded, rows: offset..<(offset + take))
            offset += take
            fileStart?.rowsSoFar += take
            let full = builder.rowCount >= maxRows || builder.estimatedBytes >= configuration.segments.maxBytesPerSegment
                || builder.largestColumnBytes >= Self.columnLimit / 2 && perSlice < batch.rowCount
            if full { try await sealPart(output: output, completesGroup: false) }
        }
    }

    /// Records which rows of which file the open segment holds (`rows` of the row group).
    private func note(_ decoded: DecodedRowGroup, rows: Range<Int>) {
        let path = decoded.work.file.path
        let start = decoded.firstRow + rows.lowerBound, end = decoded.firstRow + rows.upperBound
        if let last = partFiles.indices.last, partFiles[last].path == path, partFiles[last].rowRange[1] == start {
            partFiles[last].rowGroups[1] = decoded.rowGroup + 1
            partFiles[last].rowRange[1] = end
            partFiles[last].rows += rows.count
        } else {
            partFiles.append(.init(path: path, rowGroups: [decoded.rowGroup, decoded.rowGroup + 1], rowRange: [start, end], rows: rows.count))
        }
    }

    private func fail(_ work: FileWork, _ error: EngineError, output: StageChannel.Sender<BuiltWork>) async throws {
        guard configuration.continueOnFileError else { throw error }
        let key = Self.key(work)
        if let start = fileStart, start.key == key {
            guard !start.sealed else {
                throw EngineError(error.code,
                    "\(error.message); the file's first rows are already in a sealed segment of its group, so it cannot be skipped",
                    file: error.file, rowGroup: error.rowGroup, column: error.column, offset: error.offset, underlying: error.underlying)
            }
            builder.truncate(toRows: start.rows)
            partFiles.removeAll { $0.path == work.file.path }
            fileStart = nil
        }
        try await output.send(.fileSkipped(work, error))
    }

    private func sealPart(output: StageChannel.Sender<BuiltWork>, completesGroup: Bool) async throws {
        guard let step, builder.rowCount > 0 else { return }
        let name = SegmentNaming.name(table: configuration.table, step: step, group: group, part: part)
        let compression = configuration.push.tarCompression
        let path = configuration.stateDir + "/work/" + name + compression.fileExtension
        let rows = builder.rowCount
        let result: SegmentSealer.Result
        do {
            result = try await SegmentSealer.seal(builder, name: name, to: path, compression: compression,
                                                  concurrency: configuration.pipeline.buildConcurrency)
        } catch let error as SegmentError {
            throw EngineError(error.code == .invalidValue ? .schemaMismatch : .io, "cannot seal segment \(name): \(error.message)",
                              file: partFiles.count == 1 ? partFiles[0].path : nil, column: error.column, underlying: error)
        }
        FaultInjection.reached("sealed")
        context.metrics.segmentsSealed.increment()
        context.progress.segmentSealed()
        context.events.emit(.segmentSealed(name: name, rows: rows, bytes: result.bytes))
        context.gauges.sealed()
        let segment = SealedSegment(
            name: name, tarball: result.path, tarballBytes: result.bytes, compression: compression, rows: rows, summary: result.summary,
            stepId: step.id, snapshotId: step.snapshotId, group: group, part: part, files: partFiles)
        part += 1
        partFiles = []
        if let start = fileStart {
            fileStart = (start.key, 0, start.sealed || start.rowsSoFar > 0, start.rowsSoFar)
        }
        try await output.send(.sealed(segment, completesGroup: completesGroup))
    }
}
