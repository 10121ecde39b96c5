import Columnar
import Foundation
import Parquet

/// Stage 3: every row group of every opened file, `concurrency` at once: each one's projected
/// column chunks fetched with coalesced ranged reads, decoded off the callers' executors (a task
/// of its own per row group, so the next row group's chunks are being fetched while one
/// decodes), and projected onto the table's schema. Output keeps file and row-group order.
///
/// Buffering: a row group starts only while fewer than `concurrency` are running and the decoded
/// bytes not yet taken by the builder, plus the estimated size of those running, stay under
/// `bytesInFlight` (one always may start when none is running); and the output channel's send
/// suspends this stage while the builder is behind. When a row group fails, its file is
/// reported failed once and its later row groups are dropped.
struct ParquetDecoderStage: Sendable {
    let concurrency: Int
    let bytesInFlight: Int
    let context: PipelineContext

    func run(input: StageChannel.Receiver<FetchedWork>, output: StageChannel.Sender<DecodedWork>) async throws {
        defer { output.finish() }
        let gauges = context.gauges
        try await withThrowingTaskGroup(of: (Int, DecodedWork).self) { group in
            var ready: [Int: DecodedWork] = [:]
            var estimates: [Int: Int] = [:]
            var issued = 0, next = 0, running = 0, runningBytes = 0
            var failed = Set<String>()

            func flush() async throws {
                while let item = ready.removeValue(forKey: next) {
                    next += 1
                    switch item {
                    case .rowGroup(let decoded) where failed.contains(Self.key(decoded.work)):
                        gauges.consumed(bytes: decoded.bytes)
                        continue
                    case .fileEnd(let work, _) where failed.contains(Self.key(work)):
                        continue
                    case .fileFailed(let work, _):
                        guard failed.insert(Self.key(work)).inserted else { continue }
                    default:
                        break
                    }
                    try await output.send(item)
                }
            }
            func collect() async throws {
                guard let (index, item) = try await group.next() else { return }
                running -= 1
                runningBytes -= estimates.removeValue(forKey: index) ?? 0
                ready[index] = item
                try await flush()
            }
            func pass(_ item: DecodedWork) async throws {
                ready[issued] = item
                issued += 1
                try await flush()
            }
            func start(_ file: OpenedFile, rowGroup: Int, firstRow: Int, estimate: Int) async throws {
                while running >= concurrency || (running > 0 && gauges.value.bytesInFlight + runningBytes + estimate > bytesInFlight) {
                    try await collect()
                }
                let index = issued
                issued += 1
                running += 1
                runningBytes += estimate
                estimates[index] = estimate
                let context = self.context
                group.addTask { (index, try await Self.decode(file, rowGroup: rowGroup, firstRow: firstRow, context: context)) }
            }

            while let item = await input.next() {
                try Task.checkCancellation()
                switch item {
                case .marker(let marker):
                    try await pass(.marker(marker))
                case .failed(let work, let error):
                    try await pass(.fileFailed(work, error))
                case .opened(let file):
                    let groups = file.reader.metadata.rowGroups
                    let leaves = Set(groups.isEmpty ? [] : (try? file.reader.rowGroupDecoder(0, fields: file.projection.decodeFields).leafIndices) ?? [])
                    var firstRow = 0
                    for (index, rowGroup) in file.reader.metadata.rowGroups.enumerated() {
                        let estimate = rowGroup.columns.enumerated().reduce(0) { sum, entry in
                            leaves.contains(entry.offset) ? sum + Int(clamping: max(0, entry.element.metaData?.totalUncompressedSize ?? 0)) : sum
                        }
                        try await start(file, rowGroup: index, firstRow: firstRow, estimate: max(estimate, 1))
                        firstRow += Int(clamping: max(0, rowGroup.numRows))
                    }
                    try await pass(.fileEnd(file.work, rowGroups: file.reader.metadata.rowGroups.count))
                }
            }
            while running > 0 { try await collect() }
            try await flush()
        }
    }

    private static func key(_ work: FileWork) -> String { work.stepId + "\u{0}" + String(work.index) }

    /// Fetches, decodes and projects one row group.
    private static func decode(_ file: OpenedFile, rowGroup: Int, firstRow: Int, context: PipelineContext) async throws -> DecodedWork {
        do {
            let batch = try await file.reader.readRowGroup(rowGroup, fields: file.projection.decodeFields)
            let projected = file.projection.apply(batch)
            let bytes = projected.estimatedBytes
            context.gauges.decoded(bytes: bytes)
            context.events.emit(.rowGroupDecoded(file: file.work.file.path, rowGroup: rowGroup, rows: projected.rowCount, bytes: bytes))
            FaultInjection.reached("decoded")
            return .rowGroup(DecodedRowGroup(work: file.work, rowGroup: rowGroup, firstRow: firstRow, batch: projected, bytes: bytes))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return .fileFailed(file.work, FailureReport.engineError(error, file: file.work.file.path, context: "cannot decode row group \(rowGroup)"))
        }
    }
}
