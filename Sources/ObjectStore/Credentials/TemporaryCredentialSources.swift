import Foundation

/// The AWS SDKs' sources of temporary keys that need no configured secret: the container
/// credentials endpoint (ECS, EKS Pod Identity), the EC2 instance metadata service (IMDSv2),
/// and STS (`AssumeRole` with other keys, `AssumeRoleWithWebIdentity` with a service account's
/// token). Endpoints follow the SDKs' variables, so tests and private networks can point them
/// elsewhere. Failures are `ObjectStoreError(.accessDenied)` naming the source, never a secret.
public enum TemporaryCredentialSources {
    static func failure(_ message: String) -> ObjectStoreError { ObjectStoreError(.accessDenied, message) }

    /// The container credentials endpoint: `AWS_CONTAINER_CREDENTIALS_FULL_URI`, or
    /// `http://169.254.170.2` + `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`; the authorization
    /// token from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    public static func container(environment: [String: String]) -> (@Sendable () async throws -> ExpiringCredentials)? {
        let uri: String
        if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            uri = full
        } else if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            uri = "http://169.254.170.2" + relative
        } else {
            return nil
        }
        let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
        let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        return {
            var headers: [(String, String)] = []
            if let tokenFile, let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) {
                headers.append(("authorization", text.trimmingCharacters(in: .whitespacesAndNewlines)))
            } else if let token, !token.isEmpty {
                headers.append(("authorization", token))
            }
            let response = try await plain("GET", uri, headers: headers)
            guard response.status == 200 else {
                throw failure("the container credentials endpoint \(ObjectStoreURI.redacted(uri)) answered HTTP \(response.status)")
            }
            return try keys(fromJSON: response.body, source: "the container credentials endpoint")
        }
    }

    /// IMDSv2: a session token (`PUT /latest/api/token`), the instance profile's role
    /// (`GET /latest/meta-data/iam/security-credentials/`), then its keys. The endpoint is
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254`; off when
    /// `AWS_EC2_METADATA_DISABLED` is `true`.
    public static func instanceMetadata(environment: [String: String]) -> (@Sendable () async throws -> ExpiringCredentials)? {
        guard environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" else { return nil }
        var base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while base.hasSuffix("/") { base.removeLast() }
        return { [base] in
            let tokenAnswer = try await plain("PUT", base + "/latest/api/token", headers: [("x-aws-ec2-metadata-token-ttl-seconds", "21600")])
            guard tokenAnswer.status == 200 else { throw failure("instance metadata \(base) refused a session token (HTTP \(tokenAnswer.status))") }
            let token = String(decoding: tokenAnswer.body, as: UTF8.self)
            let header = [("x-aws-ec2-metadata-token", token)]
            let roles = try await plain("GET", base + "/latest/meta-data/iam/security-credentials/", headers: header)
            guard roles.status == 200, let role = String(decoding: roles.body, as: UTF8.self).split(whereSeparator: \.isNewline).first else {
                throw failure("instance metadata \(base) names no instance profile role (HTTP \(roles.status))")
            }
            let answer = try await plain("GET", base + "/latest/meta-data/iam/security-credentials/" + role, headers: header)
            guard answer.status == 200 else { throw failure("instance metadata \(base) gave no keys for role \(role) (HTTP \(answer.status))") }
            return try keys(fromJSON: answer.body, source: "instance metadata")
        }
    }

    /// `AssumeRole` signed with `base` (`ExternalId` when given), or — without `base` —
    /// `AssumeRoleWithWebIdentity` with the token in `AWS_WEB_IDENTITY_TOKEN_FILE`. The endpoint is
    /// `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else STS's regional endpoint.
    public static func assumeRole(roleArn: String, externalId: String?, base: (any CredentialProvider)?, region: String,
                                  environment: [String: String]) -> @Sendable () async throws -> ExpiringCredentials {
        let endpoint = environment["AWS_ENDPOINT_URL_STS"] ?? environment["AWS_ENDPOINT_URL"] ?? "https://sts.\(region).amazonaws.com"
        let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"]
        let session = environment["AWS_ROLE_SESSION_NAME"] ?? "lakeingest-\(UInt32.random(in: 0...UInt32.max))"
        return {
            var form: [(String, String)] = [("Version", "2011-06-15"), ("RoleArn", roleArn), ("RoleSessionName", session), ("DurationSeconds", "3600")]
            let signer: SigV4Signer?
            if let base {
                form.insert(("Action", "AssumeRole"), at: 0)
                if let externalId { form.append(("ExternalId", externalId)) }
                signer = SigV4Signer(credentials: try await base.credentials(), region: region, service: "sts")
            } else {
                guard let tokenFile, let token = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                    throw failure("AssumeRoleWithWebIdentity needs AWS_WEB_IDENTITY_TOKEN_FILE naming a readable token file")
                }
                form.insert(("Action", "AssumeRoleWithWebIdentity"), at: 0)
                form.append(("WebIdentityToken", token.trimmingCharacters(in: .whitespacesAndNewlines)))
                signer = nil
            }
            guard let url = URLComponents(string: endpoint), let scheme = url.scheme, let host = url.host else {
                throw failure("the STS endpoint \(ObjectStoreURI.redacted(endpoint)) is not a URL")
            }
            let body = Array(form.map { URIEncoding.encode($0.0) + "=" + URIEncoding.encode($0.1) }.joined(separator: "&").utf8)
            let client = SignedHTTPClient(signer: signer)
            let response = try await client.send(method: "POST", scheme: scheme, host: host + (url.port.map { ":\($0)" } ?? ""),
                                                 path: url.path.isEmpty ? "/" : url.path,
                                                 headers: [("content-type", "application/x-www-form-urlencoded; charset=utf-8")], body: body)
            guard response.status == 200 else {
                let code = STSAnswer.value("Code", in: response.body) ?? "HTTP \(response.status)"
                let message = STSAnswer.value("Message", in: response.body) ?? ""
                throw failure("STS refused to assume role \(roleArn): \(code) \(message)".trimmingCharacters(in: .whitespaces))
            }
            guard let id = STSAnswer.value("AccessKeyId", in: response.body), let secret = STSAnswer.value("SecretAccessKey", in: response.body) else {
                throw failure("STS's answer for role \(roleArn) holds no credentials")
            }
            return ExpiringCredentials(keys: AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: STSAnswer.value("SessionToken", in: response.body)),
                                       expiration: STSAnswer.value("Expiration", in: response.body).flatMap(parseDate))
        }
    }

    /// The container endpoint's and IMDS's JSON: `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`.
    static func keys(fromJSON body: [UInt8], source: String) throws -> ExpiringCredentials {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let id = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String else {
            throw failure("\(source) answered without AccessKeyId and SecretAccessKey")
        }
        return ExpiringCredentials(keys: AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: object["Token"] as? String),
                                   expiration: (object["Expiration"] as? String).flatMap(parseDate))
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// One unsigned request to a local metadata service (no retries beyond the client's).
    static func plain(_ method: String, _ uri: String, headers: [(String, String)]) async throws -> SignedHTTPClient.Response {
        guard let url = URLComponents(string: uri), let scheme = url.scheme, let host = url.host else {
            throw failure("\(ObjectStoreURI.redacted(uri)) is not a URL")
        }
        let client = SignedHTTPClient(signer: nil, retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(100)), connectTimeout: .seconds(2),
                                      readTimeout: .seconds(5))
        return try await client.send(method: method, scheme: scheme, host: host + (url.port.map { ":\($0)" } ?? ""),
                                     path: url.path.isEmpty ? "/" : url.path, headers: headers, body: method == "PUT" ? [] : nil)
    }
}

/// The few fields read from STS's XML answers.
enum STSAnswer {
    static func value(_ element: String, in body: [UInt8]) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let open = text.range(of: "<\(element)>"), let close = text.range(of: "</\(element)>", range: open.upperBound..<text.endIndex) else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
}
