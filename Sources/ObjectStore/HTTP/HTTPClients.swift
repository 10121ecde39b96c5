import AsyncHTTPClient
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide HTTP clients, one per timeout setting, shared by every store and catalog
/// client. They live as long as the process (like `HTTPClient.shared`), so no caller has to
/// shut one down. Shared with the Pinot controller client.
public enum HTTPClients {
    private struct Key: Hashable {
        var connect: Duration
        var read: Duration
    }

    private static let clients = Mutex<[Key: HTTPClient]>([:])

    public static func client(connectTimeout: Duration, readTimeout: Duration) -> HTTPClient {
        clients.withLock { clients in
            let key = Key(connect: connectTimeout, read: readTimeout)
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: .init(connectTimeout), read: .init(readTimeout))
            configuration.decompression = .disabled
            // Redirects would carry signed headers (the session token) to another host.
            configuration.redirectConfiguration = .disallow
            // A refused connection fails the attempt at once (the callers' retry policies decide
            // what comes next) instead of being tried again until the connect timeout.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

extension HTTPClients {
    /// True when every address the connection tried refused it (nothing listens there).
    public static func isConnectionRefused(_ error: any Error) -> Bool {
        if let io = error as? IOError { return io.errnoCode == ECONNREFUSED }
        if let connection = error as? NIOConnectionError {
            return !connection.connectionErrors.isEmpty
                && connection.connectionErrors.allSatisfy { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
        }
        return false
    }
}
