import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// HTTP requests signed with SigV4 (or unsigned), retried per a `RetryPolicy` on 5xx answers,
/// throttling and connection failures: the transport of the Iceberg REST catalog client (and of
/// any other AWS-style JSON API). The caller maps statuses to its own errors.
public struct SignedHTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    public let signer: SigV4Signer?
    public let retry: RetryPolicy
    private let client: HTTPClient
    private let readTimeout: Duration

    public init(signer: SigV4Signer?, retry: RetryPolicy = RetryPolicy(), connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(30)) {
        self.signer = signer
        self.retry = retry
        self.readTimeout = readTimeout
        self.client = HTTPClients.client(connectTimeout: connectTimeout, readTimeout: readTimeout)
    }

    /// Sends `method` to `scheme://host + path` with `query` (decoded names and values; encoded
    /// here, and signed as sent). Answers with status 5xx or 429 are retried; the last answer is
    /// returned whatever its status. Connection failures and timeouts are retried and then
    /// thrown as `ObjectStoreError` (`.transport`, `.timeout`).
    public func send(
        method: String, scheme: String, host: String, path: String, query: [(String, String)] = [],
        headers: [(String, String)] = [], body: [UInt8]? = nil
    ) async throws -> Response {
        let queryString = query.map { URIEncoding.encode($0.0) + "=" + URIEncoding.encode($0.1) }.joined(separator: "&")
        let url = "\(scheme)://\(host)\(path)" + (queryString.isEmpty ? "" : "?" + queryString)
        let payloadHash = SigV4Signer.sha256Hex(body ?? [])
        let template = self.signer
        let client = self.client
        let timeout = readTimeout
        return try await retry.run { _ in
            let signer = try await template?.current()
            var all = headers + [("host", host)]
            if let body { all.append(("content-length", String(body.count))) }
            if let signer {
                let signature = signer.sign(
                    SigV4Signer.Request(method: method, path: path, query: query, headers: all, payloadHash: payloadHash),
                    epochSeconds: Int64(Date().timeIntervalSince1970))
                all += signature.additions
            }
            var request = HTTPClientRequest(url: url)
            request.method = HTTPMethod(rawValue: method)
            for (name, value) in all { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response: HTTPClientResponse
            var bytes: [UInt8] = []
            let started = ContinuousClock.now
            do {
                response = try await client.execute(request, timeout: TimeAmount(timeout) + .seconds(1))
                for try await chunk in response.body { chunk.withUnsafeReadableBytes { bytes.append(contentsOf: $0) } }
                RequestLog.record(method: method, host: host, path: path, status: Int(response.status.code), started: started,
                                  sent: body?.count ?? 0, received: bytes.count)
            } catch {
                RequestLog.record(method: method, host: host, path: path, status: nil, failure: S3ObjectStore.kind(of: error), started: started,
                                  sent: body?.count ?? 0, received: bytes.count)
                var failure = S3ObjectStore.transportError(error, bucket: "", key: nil)
                failure.bucket = nil
                failure.endpoint = ObjectStoreURI.redacted("\(scheme)://\(host)\(path)")
                throw failure
            }
            let status = Int(response.status.code)
            if status >= 500 {
                var failure = ObjectStoreError(status == 503 ? .throttled : .serverError, "HTTP \(status)", status: status)
                failure.endpoint = ObjectStoreURI.redacted("\(scheme)://\(host)\(path)")
                throw failure
            }
            return Response(status: status, headers: response.headers.map { ($0.name, $0.value) }, body: bytes)
        }
    }
}
