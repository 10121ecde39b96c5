import Foundation

/// Where signing keys come from for each request: fixed keys, or temporary ones fetched and
/// refreshed before they expire (STS, the container endpoint, instance metadata).
public protocol CredentialProvider: Sendable {
    /// Keys valid for a request made now.
    func credentials() async throws -> AWSCredentials
}

/// Keys that never change (configured, or from `AWS_*` variables).
public struct StaticCredentialProvider: CredentialProvider {
    public let keys: AWSCredentials

    public init(_ keys: AWSCredentials) { self.keys = keys }

    public func credentials() async throws -> AWSCredentials { keys }
}

/// Temporary keys and when they expire.
public struct ExpiringCredentials: Sendable {
    public var keys: AWSCredentials
    /// nil: they do not expire.
    public var expiration: Date?

    public init(keys: AWSCredentials, expiration: Date?) {
        self.keys = keys
        self.expiration = expiration
    }
}

/// Temporary keys fetched by `fetch` and fetched again `refreshBefore` ahead of their expiry,
/// so no request is signed with keys about to lapse; callers at once share one fetch.
public actor RefreshingCredentialProvider: CredentialProvider {
    private let fetch: @Sendable () async throws -> ExpiringCredentials
    private let refreshBefore: TimeInterval
    private var current: ExpiringCredentials?
    private var pending: Task<ExpiringCredentials, any Error>?
    /// How many times keys were fetched (for tests and logs).
    public private(set) var fetches = 0

    public init(refreshBefore: TimeInterval = 300, fetch: @escaping @Sendable () async throws -> ExpiringCredentials) {
        self.fetch = fetch
        self.refreshBefore = refreshBefore
    }

    public func credentials() async throws -> AWSCredentials {
        if let current, current.expiration.map({ $0.timeIntervalSinceNow > refreshBefore }) ?? true { return current.keys }
        if let pending { return try await pending.value.keys }
        let task = Task { try await fetch() }
        pending = task
        defer { pending = nil }
        let fresh = try await task.value
        fetches += 1
        current = fresh
        return fresh.keys
    }
}
