import Crypto
import Foundation

/// AWS Signature Version 4 (the "Signature Version 4 signing process" of the AWS docs): builds
/// the canonical request, the string to sign and the signature, and returns the headers (or
/// query parameters) that carry them. Used for S3 (`s3`) and for the Iceberg REST catalogs of
/// Glue (`glue`) and S3 Tables (`s3tables`).
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    /// The signing name: `s3`, `glue`, `s3tables`, …
    public var service: String
    /// Remove `.`/`..` segments and repeated slashes before signing. S3 signs paths exactly as
    /// sent; other services normalise.
    public var normalizePath: Bool
    /// Percent-encode the (already encoded) wire path once more for the canonical URI, as every
    /// service but S3 requires.
    public var encodePathAgain: Bool
    /// Where the keys come from for each request (temporary keys, refreshed); `credentials`
    /// is used when nil.
    public var provider: (any CredentialProvider)?

    public init(credentials: AWSCredentials, region: String, service: String, normalizePath: Bool? = nil, encodePathAgain: Bool? = nil,
                provider: (any CredentialProvider)? = nil) {
        self.provider = provider
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizePath = normalizePath ?? (service != "s3")
        self.encodePathAgain = encodePathAgain ?? (service != "s3")
    }

    /// This signer with the provider's keys of the moment.
    public func current() async throws -> SigV4Signer {
        guard let provider else { return self }
        var signer = self
        signer.credentials = try await provider.credentials()
        return signer
    }

    /// A request to sign. `path` is the path as sent on the wire (percent-encoded); `query`
    /// holds decoded names and values; `headers` must include `host`.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        /// Lower-case hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
        public var payloadHash: String

        public init(method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// The intermediate products, for tests and diagnostics.
    public struct Signature: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        /// Headers to add to the request (`X-Amz-Date`, `X-Amz-Security-Token`, `Authorization`, …),
        /// or, for a presigned request, the query parameters to add.
        public var additions: [(String, String)]
    }

    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Lower-case hex SHA-256.
    public static func sha256Hex<D: DataProtocol>(_ data: D) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Signs with an `Authorization` header.
    /// - Parameters:
    ///   - epochSeconds: the signing time.
    ///   - addContentHash: also sign and send `x-amz-content-sha256` (S3 requires it).
    ///   - signSessionToken: sign the session token header (true except for services that add it later).
    public func sign(_ request: Request, epochSeconds: Int64, addContentHash: Bool = false, signSessionToken: Bool = true) -> Signature {
        let date = AMZDate(epochSeconds: epochSeconds)
        var headers = request.headers
        var additions: [(String, String)] = [("X-Amz-Date", date.timestamp)]
        headers.append(("x-amz-date", date.timestamp))
        if addContentHash {
            headers.append(("x-amz-content-sha256", request.payloadHash))
            additions.append(("X-Amz-Content-Sha256", request.payloadHash))
        }
        if let token = credentials.sessionToken {
            additions.append(("X-Amz-Security-Token", token))
            if signSessionToken { headers.append(("x-amz-security-token", token)) }
        }
        let (canonicalHeaders, signedHeaders) = canonicalize(headers)
        let canonical = [
            request.method, canonicalURI(request.path), canonicalQuery(request.query),
            canonicalHeaders, signedHeaders, request.payloadHash,
        ].joined(separator: "\n")
        let (stringToSign, signature) = signatureFor(canonical, date: date)
        additions.append(("Authorization",
                          "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope(date)), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        return Signature(canonicalRequest: canonical, stringToSign: stringToSign, signature: signature, additions: additions)
    }

    /// Signs in the query string (a presigned request) valid for `expires` seconds.
    public func presign(_ request: Request, epochSeconds: Int64, expires: Int, signSessionToken: Bool = true) -> Signature {
        let date = AMZDate(epochSeconds: epochSeconds)
        let (canonicalHeaders, signedHeaders) = canonicalize(request.headers)
        var parameters: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope(date))"),
            ("X-Amz-Date", date.timestamp),
            ("X-Amz-SignedHeaders", signedHeaders),
            ("X-Amz-Expires", String(expires)),
        ]
        if let token = credentials.sessionToken, signSessionToken { parameters.append(("X-Amz-Security-Token", token)) }
        let canonical = [
            request.method, canonicalURI(request.path), canonicalQuery(request.query + parameters),
            canonicalHeaders, signedHeaders, request.payloadHash,
        ].joined(separator: "\n")
        let (stringToSign, signature) = signatureFor(canonical, date: date)
        if let token = credentials.sessionToken, !signSessionToken { parameters.append(("X-Amz-Security-Token", token)) }
        parameters.append(("X-Amz-Signature", signature))
        return Signature(canonicalRequest: canonical, stringToSign: stringToSign, signature: signature, additions: parameters)
    }

    // MARK: pieces

    private func scope(_ date: AMZDate) -> String { "\(date.day)/\(region)/\(service)/aws4_request" }

    private func signatureFor(_ canonical: String, date: AMZDate) -> (String, String) {
        let stringToSign = ["AWS4-HMAC-SHA256", date.timestamp, scope(date), Self.sha256Hex(Array(canonical.utf8))].joined(separator: "\n")
        var key = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [date.day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        return (stringToSign, signature)
    }

    func canonicalURI(_ path: String) -> String {
        var path = path.isEmpty ? "/" : path
        if normalizePath { path = Self.normalize(path) }
        guard encodePathAgain else { return path }
        return URIEncoding.encode(path, keepSlash: true)
    }

    /// Removes `.` and `..` segments and empty segments, keeping a trailing slash.
    static func normalize(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { _ = segments.popLast(); continue }
            segments.append(segment)
        }
        var result = "/" + segments.joined(separator: "/")
        let last = path.split(separator: "/", omittingEmptySubsequences: false).last
        if path.hasSuffix("/") || last == "." || last == "..", !segments.isEmpty { result += "/" }
        return result
    }

    func canonicalQuery(_ items: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = items.map { (URIEncoding.encode($0.0), URIEncoding.encode($0.1)) }
        let sorted = encoded.sorted { (a, b) -> Bool in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }

    /// Lower-cased names, values trimmed with inner runs of white space folded to one space,
    /// repeated names joined with commas in order, sorted by name.
    func canonicalize(_ headers: [(String, String)]) -> (canonical: String, signed: String) {
        var merged: [String: [String]] = [:]
        var order: [String] = []
        for (name, value) in headers {
            let key = name.lowercased()
            let folded = value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if merged[key] == nil { order.append(key) }
            merged[key, default: []].append(folded)
        }
        let names = order.sorted()
        let canonical = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension SigV4Signer.Signature: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The canonical request and the additions carry the session token: printing shows the
    /// signature and the names of what is added only.
    public var description: String {
        "Signature(signature: \(signature), additions: \(additions.map(\.0)), canonicalRequest: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["signature": signature, "additions": additions.map(\.0), "canonicalRequest": "<redacted>"], displayStyle: .struct)
    }
}
