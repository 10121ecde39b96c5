import BoundedWork

/// Stage 2: reads data files' footers — each in one or two ranged reads — `concurrency` at
/// once, ahead of decoding, and works out each file's projection onto the table schema
/// (``PipelineContext/open(_:)``). A file that cannot be opened (missing, corrupt footer, not
/// Parquet, a schema that does not fit) is passed on as `.failed`: the build stage decides
/// whether that ends the run or skips the file.
///
/// Buffering: an ``OrderedWindow`` of `concurrency` reads and `2 × concurrency` items admitted
/// and not yet passed on; output keeps the input's order, and the output channel's send
/// suspends this stage while decoding is behind.
struct FooterReaderStage: Sendable {
    let concurrency: Int
    let context: PipelineContext

    func run(input: StageChannel.Receiver<DiscoveredWork>, output: StageChannel.Sender<FetchedWork>) async throws {
        defer { output.finish() }
        let context = self.context
        try await OrderedWindow<FetchedWork>.run(
            limit: concurrency, lookahead: 2 * concurrency,
            next: { () async -> WindowInput<FileWork, FetchedWork>? in
                guard let item = await input.next() else { return nil }
                guard case .file(let work) = item else { return .pass(.marker(item)) }
                return .job(work)
            },
            perform: { (work: FileWork) in
                do {
                    return .opened(try await context.open(work))
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    return .failed(work, FailureReport.engineError(error, file: work.file.path, context: "cannot open the data file"))
                }
            },
            release: { try await output.send($0) })
    }
}
