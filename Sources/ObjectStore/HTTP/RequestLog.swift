import Logging

/// One line per HTTP request at trace level (`--log-level trace`): method, host, path, status,
/// time and bytes — for S3, the catalogs and the controller alike. Never headers (signatures,
/// tokens, authorization) nor query strings: what is logged cannot hold a secret.
public enum RequestLog {
    static let logger = Logger(label: "lakeingest.http")

    /// Logs a request that got an answer (`status`) or failed (`failure`, its kind in words).
    public static func record(
        method: String, host: String, path: String, status: Int?, failure: String? = nil,
        started: ContinuousClock.Instant, sent: Int, received: Int
    ) {
        guard logger.logLevel <= .trace else { return }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": "\(method)", "host": "\(ObjectStoreURI.redacted(host))", "path": "\(path)",
            "ms": "\(Int(milliseconds.rounded()))", "sent": "\(sent)", "received": "\(received)",
        ]
        if let status { metadata["status"] = "\(status)" }
        if let failure { metadata["failure"] = "\(failure)" }
        logger.trace("HTTP request", metadata: metadata)
    }
}
