import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An `ObjectStore` over one S3 bucket (or an S3-compatible server), signed with SigV4.
///
/// Every request is retried per the configuration's `RetryPolicy` on throttling, 5xx answers,
/// connection failures, timeouts and bodies cut short; never on other 4xx answers. Ranged GETs
/// stream into a buffer sized from `Content-Length`. Errors name the bucket and key, the S3 error
/// code and request id, and never a secret.
public struct S3ObjectStore: ObjectStore {
    public let configuration: S3Configuration
    private let signer: SigV4Signer
    private let client: HTTPClient

    public init(_ configuration: S3Configuration) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "s3",
                                  provider: configuration.credentialProvider)
        self.client = HTTPClients.client(connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout)
    }

    public var bucket: String { configuration.bucket }

    // MARK: ObjectStore

    public func head(_ key: String) async throws -> ObjectInfo {
        let response = try await send(method: .HEAD, key: key, readBody: false)
        guard let length = response.headers.first(name: "content-length").flatMap(Int.init) else {
            throw ObjectStoreError(.invalidResponse, "HEAD answer without Content-Length", bucket: bucket, key: key)
        }
        return ObjectInfo(key: key, size: length, etag: response.headers.first(name: "etag").map(Self.unquote))
    }

    public func get(_ key: String, range: ByteRange?) async throws -> [UInt8] {
        if case .bounded(let bounds)? = range {
            guard bounds.lowerBound >= 0 else {
                throw ObjectStoreError(.invalidArgument, "range \(bounds) starts before the object", bucket: bucket, key: key)
            }
            if bounds.isEmpty { return [] }
        }
        let response = try await send(method: .GET, key: key, range: range)
        // A server that ignores Range answers 200 with the whole object: cut it here.
        if response.status == .ok, let range {
            let body = response.body
            switch range {
            case .bounded(let bounds):
                guard bounds.lowerBound < body.count || body.isEmpty && bounds.lowerBound == 0 else {
                    throw ObjectStoreError(.invalidRange, "range \(bounds) starts past the end (\(body.count) bytes)", bucket: bucket, key: key)
                }
                return Array(body[bounds.lowerBound..<min(bounds.upperBound, body.count)])
            case .suffix(let n):
                return Array(body.suffix(n))
            }
        }
        return response.body
    }

    public func put(_ key: String, body: [UInt8]) async throws {
        _ = try await send(method: .PUT, key: key, body: body)
    }

    public func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var token: String?
                    var seen: Set<String> = []
                    repeat {
                        let page = try await listPage(prefix: prefix, continuationToken: token)
                        for object in page.objects { continuation.yield(object) }
                        token = page.nextToken
                        if let token, !seen.insert(token).inserted {
                            throw ObjectStoreError(.invalidResponse, "the listing repeats a continuation token", bucket: bucket, key: prefix)
                        }
                    } while token != nil
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// One ListObjectsV2 page.
    func listPage(prefix: String, continuationToken: String?) async throws -> (objects: [ObjectInfo], nextToken: String?) {
        var query: [(String, String)] = [("list-type", "2"), ("prefix", prefix)]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let size = configuration.listPageSize { query.append(("max-keys", String(size))) }
        let response = try await send(method: .GET, key: nil, query: query)
        return try Self.listPage(response.body, bucket: bucket, prefix: prefix)
    }

    /// Reads one ListObjectsV2 answer: its objects and the next continuation token. An answer
    /// cut short, an entry without key or size, or a truncated listing without a token is an
    /// `.invalidResponse`, never a shorter listing.
    public static func listPage(_ body: [UInt8], bucket: String, prefix: String) throws(ObjectStoreError) -> (objects: [ObjectInfo], nextToken: String?) {
        let xml = String(decoding: body, as: UTF8.self)[...]
        func invalid(_ message: String) -> ObjectStoreError { ObjectStoreError(.invalidResponse, message, bucket: bucket, key: prefix) }
        guard xml.contains("<ListBucketResult") else { throw invalid("listing answer is not a ListBucketResult") }
        guard xml.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</ListBucketResult>") else {
            throw invalid("listing answer of \(body.count) bytes ends before </ListBucketResult>: cut short")
        }
        let entries = S3XML.elements("Contents", in: xml)
        guard entries.count == xml.components(separatedBy: "<Contents>").count - 1 else { throw invalid("listing entry without its closing tag") }
        var objects: [ObjectInfo] = []
        for entry in entries {
            guard let key = S3XML.text("Key", in: entry), let size = S3XML.text("Size", in: entry).flatMap(Int.init), size >= 0 else {
                throw invalid("listing entry without Key or Size")
            }
            objects.append(ObjectInfo(key: key, size: size, etag: S3XML.text("ETag", in: entry).map(Self.unquote)))
        }
        let truncated = S3XML.text("IsTruncated", in: xml) == "true"
        let next = truncated ? S3XML.text("NextContinuationToken", in: xml) : nil
        if truncated && next == nil { throw invalid("truncated listing without a continuation token") }
        return (objects, next)
    }

    /// Creates the bucket (for tests and set-up tools; the engine never creates buckets).
    public func createBucket() async throws {
        _ = try await send(method: .PUT, key: nil, body: [])
    }

    // MARK: requests

    struct Response {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Signs and sends one request with retries; a non-2xx answer becomes an `ObjectStoreError`.
    func send(
        method: HTTPMethod, key: String?, query: [(String, String)] = [], range: ByteRange? = nil,
        body: [UInt8]? = nil, readBody: Bool = true, extraHeaders: [(String, String)] = []
    ) async throws -> Response {
        let (scheme, host, keyPath) = configuration.address(forKey: key ?? "")
        let path = key == nil ? (configuration.pathStyle ? String(keyPath.dropLast()) : "/") : keyPath
        let payloadHash = body.map { SigV4Signer.sha256Hex($0) } ?? SigV4Signer.emptyPayloadHash
        let queryString = query.map { URIEncoding.encode($0.0) + "=" + URIEncoding.encode($0.1) }.joined(separator: "&")
        let url = "\(scheme)://\(host)\(path)" + (queryString.isEmpty ? "" : "?" + queryString)
        let bucket = self.bucket
        let client = self.client
        let template = self.signer
        let timeout = configuration.readTimeout
        return try await configuration.retry.run { _ in
            let signer = try await template.current()
            var headers: [(String, String)] = [("host", host)]
            if let range { headers.append(("range", range.description)) }
            if let body { headers.append(("content-length", String(body.count))) }
            headers += extraHeaders
            let now = Int64(Date().timeIntervalSince1970)
            let signature = signer.sign(
                SigV4Signer.Request(method: method.rawValue, path: path, query: query, headers: headers, payloadHash: payloadHash),
                epochSeconds: now, addContentHash: true)
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers + signature.additions { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let started = ContinuousClock.now
            do {
                let response = try await client.execute(request, timeout: TimeAmount(timeout) + .seconds(1))
                defer { RequestLog.record(method: method.rawValue, host: host, path: path, status: Int(response.status.code), started: started,
                                          sent: body?.count ?? 0, received: Int(response.headers.first(name: "content-length") ?? "") ?? 0) }
                let requestId = response.headers.first(name: "x-amz-request-id")
                let expected = response.headers.first(name: "content-length").flatMap(Int.init)
                var bytes: [UInt8] = []
                if readBody && method != .HEAD {
                    bytes.reserveCapacity(min(expected ?? 0, 1 << 30))
                    for try await chunk in response.body {
                        chunk.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
                    }
                    if let expected, bytes.count != expected {
                        throw ObjectStoreError(.truncatedBody, "body ended after \(bytes.count) of \(expected) bytes",
                                               bucket: bucket, key: key, status: Int(response.status.code), requestId: requestId)
                    }
                }
                guard (200..<300).contains(response.status.code) else {
                    throw S3ErrorMapping.error(status: Int(response.status.code), body: bytes, requestId: requestId, bucket: bucket, key: key)
                }
                return Response(status: response.status, headers: response.headers, body: bytes)
            } catch let error as ObjectStoreError {
                throw error
            } catch {
                RequestLog.record(method: method.rawValue, host: host, path: path, status: nil, failure: Self.kind(of: error), started: started,
                                  sent: body?.count ?? 0, received: 0)
                // The server that did not answer, so a wrong endpoint shows in the message.
                var failure = Self.transportError(error, bucket: bucket, key: key)
                failure.endpoint = ObjectStoreURI.redacted("\(scheme)://\(host)")
                throw failure
            }
        }
    }

    static func transportError(_ error: any Error, bucket: String, key: String?) -> ObjectStoreError {
        if let client = error as? HTTPClientError {
            switch client {
            case .readTimeout, .connectTimeout, .deadlineExceeded:
                return ObjectStoreError(.timeout, "no answer in time (\(client))", bucket: bucket, key: key)
            case .remoteConnectionClosed:
                return ObjectStoreError(.truncatedBody, "the connection closed before the answer was complete", bucket: bucket, key: key)
            default:
                break
            }
        }
        // Only the error's kind: some HTTP client errors carry header values, which can hold a token.
        if error is HTTPClientError {
            return ObjectStoreError(.transport, "request failed (\(Self.kind(of: error)))", bucket: bucket, key: key)
        }
        return ObjectStoreError(.transport, "request failed (\(Self.kind(of: error)))", bucket: bucket, key: key)
    }

    /// What kind of failure `error` is, in words and without its associated values (which can
    /// hold header values): the system's text for socket errors (`connection refused`), the
    /// case name of an HTTP client error spelt out (`readTimeout` → `read timeout`).
    static func kind(of error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if HTTPClients.isConnectionRefused(error) { return "connection refused" }
        let text = String(describing: error)
        var caseName = Substring(text.prefix(while: { $0 != "(" && $0 != ":" && $0 != " " }))
        if let dot = caseName.lastIndex(of: ".") { caseName = caseName[caseName.index(after: dot)...] }
        var words = ""
        for character in caseName {
            if character.isUppercase, !words.isEmpty { words += " " }
            words += character.lowercased()
        }
        return words.isEmpty ? "connection failed" : words
    }

    static func unquote(_ etag: String) -> String {
        etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? String(etag.dropFirst().dropLast()) : etag
    }
}
