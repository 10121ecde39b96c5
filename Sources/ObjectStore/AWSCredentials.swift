#if canImport(Glibc)
import Glibc
#endif

/// AWS credentials: an access key id, its secret and, for temporary credentials, a session token.
/// Printing them shows the access key id only.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, when the first two are set.
    public static func fromEnvironment() -> AWSCredentials? {
        func variable(_ name: String) -> String? {
            guard let value = getenv(name) else { return nil }
            let text = String(cString: value)
            return text.isEmpty ? nil : text
        }
        guard let id = variable("AWS_ACCESS_KEY_ID"), let secret = variable("AWS_SECRET_ACCESS_KEY") else { return nil }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: variable("AWS_SESSION_TOKEN"))
    }

    /// Explicit keys where given, else the environment's.
    public static func resolve(accessKeyId: String?, secretAccessKey: String?, sessionToken: String?) -> AWSCredentials? {
        if let accessKeyId, let secretAccessKey, !accessKeyId.isEmpty, !secretAccessKey.isEmpty {
            return AWSCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
        }
        return fromEnvironment()
    }

    public var description: String {
        "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }

    public var debugDescription: String { description }
}

extension AWSCredentials: CustomReflectable {
    /// `dump` and mirrors show the access key id only.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": accessKeyId, "secretAccessKey": "<redacted>"])
    }
}
