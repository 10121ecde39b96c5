import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ObjectStore

/// A Pinot controller's REST API (spec §11–12), the network I/O kept apart from the segment format in `Pinot`:
/// health, schemas, OFFLINE tables, and segment upload — TAR push (the tarball streamed from its
/// file as the one part of a `multipart/form-data` body) and METADATA push (the metadata bundle,
/// with `DOWNLOAD_URI` naming the full tarball in deep store).
///
/// Requests are retried on 5xx answers and connection failures with jittered backoff, up to
/// `retry.maxAttempts`; never on 4xx, and never after a timeout (a stalled controller would only
/// stall again). Each request has a time budget of `timeout` plus its body's size at
/// `minimumBytesPerSecond`, so a gigabyte segment gets minutes and a schema call seconds.
/// The `Authorization` value is sent on every call and never appears in an error.
public struct PinotController: Sendable {
    public struct Configuration: Sendable, CustomStringConvertible {
        /// `http://host:port` (a path prefix is kept).
        public var uri: String
        /// The `Authorization` header value (`Basic …`, `Bearer …`).
        public var authorization: String?
        public var retry: RetryPolicy
        public var timeout: Duration
        public var minimumBytesPerSecond: Int

        public init(uri: String, authorization: String?, retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(200)),
                    timeout: Duration = .seconds(60), minimumBytesPerSecond: Int = 4 << 20) {
            self.uri = uri
            self.authorization = authorization
            self.retry = retry
            self.timeout = timeout
            self.minimumBytesPerSecond = minimumBytesPerSecond
        }

        public var description: String { "controller \(Self.printable(uri))\(authorization == nil ? "" : " (authorization <redacted>)")" }

        /// `uri` without userinfo.
        static func printable(_ uri: String) -> String { ObjectStoreURI.redacted(uri) }
    }

    public let configuration: Configuration
    private let base: String
    private let client: HTTPClient

    /// - Throws: `.invalidConfiguration` for a URI that is not `http://` or `https://`.
    public init(_ configuration: Configuration) throws(ControllerError) {
        var base = configuration.uri
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw ControllerError(.invalidConfiguration, "the controller URI \(Configuration.printable(base)) is not an http:// or https:// URL")
        }
        self.configuration = configuration
        self.base = base
        client = HTTPClients.client(connectTimeout: .seconds(10), readTimeout: configuration.timeout)
    }

    public var endpoint: String { Configuration.printable(base) }

    /// `host:port` of the controller (the scheme's port when the URI names none).
    var hostAndPort: String {
        let url = URLComponents(string: base)
        let port = url?.port ?? (base.hasPrefix("https://") ? 443 : 80)
        return "\(url?.host ?? endpoint):\(port)"
    }

    // MARK: API

    /// `GET /health`: true when the controller answers `OK`.
    public func health() async throws(ControllerError) -> Bool {
        let response = try await send("GET", "/health", authorized: false)
        return response.status == 200
    }

    /// `GET /schemas/{name}`; nil when the controller has none.
    public func schema(named name: String) async throws(ControllerError) -> [UInt8]? {
        let response = try await send("GET", "/schemas/" + Self.pathSegment(name))
        if response.status == 404 { return nil }
        try check(response, "reading schema \(name)")
        return response.body
    }

    /// `POST /schemas`.
    public func createSchema(_ json: String) async throws(ControllerError) {
        try check(try await send("POST", "/schemas", body: Array(json.utf8), contentType: "application/json"), "creating the schema")
    }

    /// `GET /tables/{name}?type=OFFLINE`: the OFFLINE table config, or nil.
    public func offlineTable(named name: String) async throws(ControllerError) -> [String: Any]? {
        let response = try await send("GET", "/tables/" + Self.pathSegment(name), query: [("type", "OFFLINE")])
        if response.status == 404 { return nil }
        try check(response, "reading table \(name)")
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw ControllerError(.controllerRejected, "the controller's answer for table \(name) is not a JSON object", status: response.status)
        }
        return object["OFFLINE"] as? [String: Any]
    }

    /// `POST /tables` with an OFFLINE table config.
    public func createTable(_ json: String) async throws(ControllerError) {
        try check(try await send("POST", "/tables", body: Array(json.utf8), contentType: "application/json"), "creating the table")
    }

    /// TAR push: `POST /v2/segments?tableName=…&tableType=OFFLINE`, one multipart part named after
    /// the segment, streamed from `tarball`.
    public func uploadSegment(name: String, table: String, tarball: String, fileName: String) async throws(ControllerError) {
        let size = try Self.fileSize(tarball, segment: name)
        let body = MultipartBody(field: name, fileName: fileName, source: .file(tarball, size))
        let response = try await send("POST", "/v2/segments", query: [("tableName", table), ("tableType", "OFFLINE")],
                                      headers: [("UPLOAD_TYPE", "SEGMENT")], multipart: body, segment: name)
        try check(response, "uploading segment \(name)", segment: name)
    }

    /// METADATA push: the metadata bundle with `UPLOAD_TYPE: METADATA`, `DOWNLOAD_URI` naming the
    /// full tarball in deep store and `COPY_SEGMENT_TO_DEEP_STORE: false`.
    public func uploadMetadata(name: String, table: String, bundle: [UInt8], downloadURI: String) async throws(ControllerError) {
        let body = MultipartBody(field: name, fileName: name + ".tar.gz", source: .bytes(bundle))
        let response = try await send("POST", "/v2/segments", query: [("tableName", table), ("tableType", "OFFLINE")],
                                      headers: [("UPLOAD_TYPE", "METADATA"), ("DOWNLOAD_URI", downloadURI), ("COPY_SEGMENT_TO_DEEP_STORE", "false")],
                                      multipart: body, segment: name)
        try check(response, "uploading the metadata of segment \(name)", segment: name)
    }

    // MARK: transport

    struct Response {
        var status: Int
        var body: [UInt8]
    }

    func send(
        _ method: String, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: [UInt8]? = nil, contentType: String? = nil, multipart: MultipartBody? = nil, segment: String? = nil, authorized: Bool = true
    ) async throws(ControllerError) -> Response {
        let queryText = query.map { URIEncoding.encode($0.0) + "=" + URIEncoding.encode($0.1) }.joined(separator: "&")
        let url = base + path + (queryText.isEmpty ? "" : "?" + queryText)
        let bodySize = multipart?.length ?? body?.count ?? 0
        let budget = configuration.timeout + .seconds(Double(bodySize) / Double(max(1, configuration.minimumBytesPerSecond)))
        let place = segment.map { " for segment \($0)" } ?? ""
        var attempt = 1
        let started = ContinuousClock.now
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = HTTPMethod(rawValue: method)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if authorized, let authorization = configuration.authorization { request.headers.add(name: "Authorization", value: authorization) }
            if let multipart {
                request.headers.add(name: "Content-Type", value: multipart.contentType)
                request.body = .stream(multipart.chunks(), length: .known(Int64(multipart.length)))
            } else if let body {
                request.headers.add(name: "Content-Type", value: contentType ?? "application/octet-stream")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let failure: ControllerError
            let attemptStarted = ContinuousClock.now
            do {
                let response = try await client.execute(request, deadline: .now() + TimeAmount(budget))
                var bytes: [UInt8] = []
                for try await chunk in response.body {
                    if bytes.count < 1 << 20 { chunk.withUnsafeReadableBytes { bytes.append(contentsOf: $0.prefix((1 << 20) - bytes.count)) } }
                }
                let status = Int(response.status.code)
                RequestLog.record(method: method, host: hostAndPort, path: path, status: status, started: attemptStarted, sent: bodySize,
                                  received: bytes.count)
                guard status >= 500 else { return Response(status: status, body: bytes) }
                failure = ControllerError(.controllerUnavailable, "the controller \(endpoint) answered \(method) \(path) with HTTP \(status)\(place): \(Self.message(bytes))",
                                       segment: segment, status: status)
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                RequestLog.record(method: method, host: hostAndPort, path: path, status: nil, failure: "timeout", started: attemptStarted,
                                  sent: bodySize, received: 0)
                throw ControllerError(.timeout, "the controller \(endpoint) did not answer \(method) \(path)\(place) within \(Self.seconds(ContinuousClock.now - started)) s (budget \(Self.seconds(budget)) s)",
                                   segment: segment)
            } catch let error as ControllerError {
                throw error
            } catch where HTTPClients.isConnectionRefused(error) {
                RequestLog.record(method: method, host: hostAndPort, path: path, status: nil, failure: "connection refused", started: attemptStarted,
                                  sent: bodySize, received: 0)
                failure = ControllerError(.connectionRefused, "connection refused (\(hostAndPort)): nothing listens at the controller \(endpoint) for \(method) \(path)\(place)",
                                          segment: segment)
            } catch {
                RequestLog.record(method: method, host: hostAndPort, path: path, status: nil, failure: Self.kind(error), started: attemptStarted,
                                  sent: bodySize, received: 0)
                // Only the error's kind: transport errors can echo request headers.
                failure = ControllerError(.controllerUnavailable, "cannot reach the controller \(endpoint) for \(method) \(path)\(place): \(Self.kind(error))", segment: segment)
            }
            guard attempt < configuration.retry.maxAttempts else {
                var final = failure
                final.message += " (after \(attempt) attempts)"
                throw final
            }
            try? await Task.sleep(for: configuration.retry.delay(afterAttempt: attempt))
            if Task.isCancelled { throw failure }
            attempt += 1
        }
    }

    func check(_ response: Response, _ what: String, segment: String? = nil) throws(ControllerError) {
        guard !(200..<300).contains(response.status) else { return }
        let code: ControllerError.Code = response.status == 401 || response.status == 403 ? .notAuthorized : .controllerRejected
        var message = "\(what) was refused by the controller \(endpoint) with HTTP \(response.status): \(Self.message(response.body))"
        if code == .notAuthorized { message += " (check push.authorization or PINOT_AUTHORIZATION)" }
        throw ControllerError(code, message, segment: segment, status: response.status)
    }

    /// The controller's own message: its JSON `error`, else the body as text (printable part).
    static func message(_ body: [UInt8]) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let error = object["error"] as? String { return error }
            if let message = object["message"] as? String { return message }
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self)
        let printable = String(text.unicodeScalars.map { $0.properties.isWhitespace || ($0.value >= 0x20 && $0.value != 0xFFFD) ? Character($0) : "?" })
        return printable.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "(no message)" : printable.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func kind(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error.shortDescription)" }
        return String(describing: type(of: error))
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    static func pathSegment(_ name: String) -> String { URIEncoding.encode(name) }

    static func fileSize(_ path: String, segment: String) throws(ControllerError) -> Int {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
            throw ControllerError(.io, "cannot read the tarball \(path)", segment: segment)
        }
        return size
    }
}

extension HTTPClientError {
    /// The error's kind without anything that could hold a header value.
    var shortDescription: String {
        switch self {
        case .connectTimeout: "connect timeout"
        case .remoteConnectionClosed: "the connection was closed"
        case .readTimeout: "read timeout"
        case .deadlineExceeded: "deadline exceeded"
        case .cancelled: "cancelled"
        default: "HTTP client error"
        }
    }
}
