import Foundation

/// Where the repository's inputs are: the clone, its fixtures, the shared corpus beside it and
/// the worker binary. Computed once from this file's path (`Tests/TestSupport/Repository.swift`).
public enum Repository {
    /// The clone's root folder.
    public static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/TestSupport/Repository.swift
        return parts.joined(separator: "/")
    }()

    /// `Tests/Fixtures`: the committed fixtures.
    public static var fixtures: String { root + "/Tests/Fixtures" }

    /// `../shared/corpus` beside the clone: parquet-testing, the SigV4 vectors, Pinot segments.
    public static var sharedCorpus: String { root + "/../shared/corpus" }

    /// `Samples/`: the committed sample files.
    public static var samples: String { root + "/Samples" }

    /// The `ingest-worker` binary `swift build` leaves in `.build/debug`; `LAKEINGEST_BINARY`
    /// names another one (a build with its own `--scratch-path`).
    public static var workerBinary: String {
        if let binary = environment["LAKEINGEST_BINARY"], !binary.isEmpty { return binary }
        return root + "/.build/debug/ingest-worker"
    }

    /// The test process's environment.
    public static let environment = ProcessInfo.processInfo.environment

    /// Under `CI=true` an input a test needs (the corpus, a test server) must be there: a test
    /// that would be skipped fails instead.
    public static let underCI = environment["CI"] == "true"
}
