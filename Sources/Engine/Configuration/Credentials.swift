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

        public init(accessKey: String? = nil, secretKey: String? = nil, sessionToken: String? = nil, region: String? = nil,
                    endpoint: String? = nil, pathStyle: Bool? = nil) {
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

        public var description: String {
            var parts: [String] = []
            if let accessKey { parts.append("accessKey: \(accessKey)") }
            if secretKey != nil { parts.append("secretKey: <redacted>") }
            if sessionToken != nil { parts.append("sessionToken: <redacted>") }
            if let region { parts.append("region: \(region)") }
            if let endpoint { parts.append("endpoint: \(ObjectStoreURI.redacted(endpoint))") }
            if let pathStyle { parts.append("pathStyle: \(pathStyle)") }
            return "Credentials(" + parts.joined(separator: ", ") + ")"
        }

        public var debugDescription: String { description }

        public var customMirror: Mirror {
            Mirror(self, children: ["accessKey": accessKey as Any, "region": region as Any, "endpoint": endpoint.map(ObjectStoreURI.redacted) as Any,
                                    "pathStyle": pathStyle as Any], displayStyle: .struct)
        }
    }
}
