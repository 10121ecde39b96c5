import Foundation
import ObjectStore

/// A secret from the task configuration (an AWS secret key, a session token, a controller's
/// `Authorization` value). Its text is reachable only through ``reveal()``; printing, logging,
/// `dump` and string interpolation show `<redacted>`.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The secret's text, for the one place that signs or sends it.
    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension TaskConfiguration {
    /// A credentials block (`source.metastore`, `source.storage`): AWS keys, region, and for
    /// storage an endpoint override and path-style addressing. Missing keys fall back to the
    /// `AWS_*` environment variables.
    public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public var accessKey: String?
        public var secretKey: Secret?
        public var sessionToken: Secret?
        public var region: String?
        public var endpoint: String?
        public var pathStyle: Bool?
        /// A role to assume through STS with the keys found (`externalId` when the role's trust
        /// policy asks for one).
        public var roleArn: String?
        public var externalId: String?

        public init(accessKey: String? = nil, secretKey: String? = nil, sessionToken: String? = nil, region: String? = nil,
                    endpoint: String? = nil, pathStyle: Bool? = nil, roleArn: String? = nil, externalId: String? = nil) {
            self.roleArn = roleArn
            self.externalId = externalId
            self.accessKey = accessKey
            self.secretKey = secretKey.map(Secret.init)
            self.sessionToken = sessionToken.map(Secret.init)
            self.region = region
            self.endpoint = endpoint
            self.pathStyle = pathStyle
        }

        /// The explicit keys, or the `AWS_*` environment variables; nil when neither has a key.
        public func resolved() -> AWSCredentials? {
            AWSCredentials.resolve(accessKeyId: accessKey, secretAccessKey: secretKey?.reveal(), sessionToken: sessionToken?.reveal())
        }

        /// Where each request's keys come from: DESIGN.md's chain (``CredentialChain``), then
        /// `roleArn` assumed; nil when no source has keys.
        public func provider(region: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> (any CredentialProvider)? {
            var configured: AWSCredentials?
            if let accessKey, let secret = secretKey?.reveal(), !accessKey.isEmpty, !secret.isEmpty {
                configured = AWSCredentials(accessKeyId: accessKey, secretAccessKey: secret, sessionToken: sessionToken?.reveal())
            }
            return CredentialChain.provider(configured: configured, roleArn: roleArn, externalId: externalId, region: region, environment: environment)
        }

        public var description: String {
            var parts: [String] = []
            if let accessKey { parts.append("accessKey: \(accessKey)") }
            if secretKey != nil { parts.append("secretKey: <redacted>") }
            if sessionToken != nil { parts.append("sessionToken: <redacted>") }
            if let region { parts.append("region: \(region)") }
            if let endpoint { parts.append("endpoint: \(ObjectStoreURI.redacted(endpoint))") }
            if let pathStyle { parts.append("pathStyle: \(pathStyle)") }
            if let roleArn { parts.append("roleArn: \(roleArn)") }
            return "Credentials(" + parts.joined(separator: ", ") + ")"
        }

        public var debugDescription: String { description }

        public var customMirror: Mirror {
            Mirror(self, children: ["accessKey": accessKey as Any, "region": region as Any, "endpoint": endpoint.map(ObjectStoreURI.redacted) as Any,
                                    "pathStyle": pathStyle as Any], displayStyle: .struct)
        }
    }
}
