import Testing

/// The engine's end-to-end suites (pyiceberg, worker processes, servers) run one after another:
/// on two cores, running them side by side only makes each slower and the timing tests of the
/// other targets flaky.
@Suite("engine end to end", .serialized)
enum EngineEndToEnd {}
