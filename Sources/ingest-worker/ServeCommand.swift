import ArgumentParser
import Engine
import Foundation
import Logging
import Metrics
import Prometheus
import Service
import ServiceLifecycle

/// `ingest-worker serve --tasks DIR [--http HOST:PORT] [--max-concurrent-runs N] [--auth-token T]`
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run every task configuration in a folder on its schedule, with an HTTP API, a status page and Prometheus metrics.",
        discussion: """
            Each *.json in --tasks runs once at start, then on its cron schedule; a configuration that does not load is \
            reported (GET /readyz, the page) and the others run. SIGTERM lets runs in progress finish their pushes and \
            checkpoints, then exits 0. Any address but loopback needs a bearer token (--auth-token or LAKEINGEST_AUTH_TOKEN).
            """)

    @Option(help: "The folder of task configurations (*.json).")
    var tasks: String

    @Option(help: "Where to answer HTTP (host:port; port 0 picks a free one).")
    var http = "127.0.0.1:8099"

    @Option(name: .customLong("max-concurrent-runs"), help: "Runs at once (default: half the cores, at least 1).")
    var maxConcurrentRuns: Int?

    @Option(name: .customLong("auth-token"), help: "The bearer token every call but /healthz needs (or LAKEINGEST_AUTH_TOKEN).")
    var authToken: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: info).")
    var logLevel: String?

    /// The host and port of `--http`.
    func address() throws -> (host: String, port: Int) {
        guard let colon = http.lastIndex(of: ":"), let port = Int(http[http.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--http \(http) is not host:port")
        }
        var host = String(http[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    var token: String? {
        let token = authToken ?? ProcessInfo.processInfo.environment["LAKEINGEST_AUTH_TOKEN"]
        return token?.isEmpty == false ? token : nil
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    func validate() throws {
        let (host, _) = try address()
        if !Self.isLoopback(host) && token == nil {
            throw ValidationError("--http \(http) is not a loopback address: set --auth-token or LAKEINGEST_AUTH_TOKEN, which every call but /healthz must then carry")
        }
        if let maxConcurrentRuns, maxConcurrentRuns < 1 { throw ValidationError("--max-concurrent-runs must be at least 1") }
        if let logLevel, Logger.Level(rawValue: logLevel.lowercased()) == nil { throw ValidationError("--log-level \(logLevel) is not a level") }
    }

    func run() async throws {
        try await reportingAnyError {
            let logger = Logs.bootstrap(level: logLevel ?? "info")
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let limit = maxConcurrentRuns ?? max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
            let host = try TaskHost.load(folder: tasks, maxConcurrentRuns: limit, logger: logger)
            for failure in host.failures {
                logger.error("a task configuration did not load; the others run", metadata: ["file": "\(failure.file)", "error": "\(failure.message)"])
            }
            let (address, port) = try address()
            let http = ServiceHTTP.application(
                answers: ServiceAnswers(host: host), registry: registry, host: address, port: port, token: token, logger: logger,
                onListening: { url in
                    let out = Output()
                    out.line("serving \(host.tasks.count) task(s) on \(url)")
                    out.flush()
                })
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [.init(service: host), .init(service: http)],
                gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger))
            try await group.run()
        }
    }
}
