import Foundation

/// DESIGN.md's credential chain, in the AWS SDKs' order: configured keys; `AWS_ACCESS_KEY_ID`
/// and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN`); a web identity (`AWS_WEB_IDENTITY_TOKEN_FILE`
/// with `AWS_ROLE_ARN`, as EKS service accounts provide); the container credentials endpoint
/// (EKS Pod Identity, ECS); the instance metadata service (IMDSv2, on EC2 or when
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` names one). A `roleArn` is then assumed through STS with
/// whichever of those keys was found. Temporary keys are refreshed before they expire.
public enum CredentialChain {
    /// The provider for a credentials block; nil when the chain finds no source.
    public static func provider(configured: AWSCredentials?, roleArn: String?, externalId: String?, region: String,
                                environment: [String: String] = ProcessInfo.processInfo.environment) -> (any CredentialProvider)? {
        let base = baseProvider(configured: configured, region: region, environment: environment)
        guard let roleArn, !roleArn.isEmpty else { return base }
        let web = base == nil && environment["AWS_WEB_IDENTITY_TOKEN_FILE"] != nil
        return RefreshingCredentialProvider(fetch: TemporaryCredentialSources.assumeRole(
            roleArn: roleArn, externalId: externalId, base: web ? nil : base, region: region, environment: environment))
    }

    static func baseProvider(configured: AWSCredentials?, region: String, environment: [String: String]) -> (any CredentialProvider)? {
        if let configured { return StaticCredentialProvider(configured) }
        if let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !id.isEmpty, !secret.isEmpty {
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return StaticCredentialProvider(AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token))
        }
        if environment["AWS_WEB_IDENTITY_TOKEN_FILE"] != nil, let role = environment["AWS_ROLE_ARN"], !role.isEmpty {
            return RefreshingCredentialProvider(fetch: TemporaryCredentialSources.assumeRole(
                roleArn: role, externalId: nil, base: nil, region: region, environment: environment))
        }
        if let container = TemporaryCredentialSources.container(environment: environment) {
            return RefreshingCredentialProvider(fetch: container)
        }
        if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] != nil || onEC2, let metadata = TemporaryCredentialSources.instanceMetadata(environment: environment) {
            return RefreshingCredentialProvider(fetch: metadata)
        }
        return nil
    }

    /// The machine is an EC2 instance (its DMI vendor says so): only then is the instance
    /// metadata service asked by default, so a laptop without keys fails at once, not after a
    /// connection timeout.
    static let onEC2: Bool = {
        let vendor = (try? String(contentsOfFile: "/sys/devices/virtual/dmi/id/sys_vendor", encoding: .utf8)) ?? ""
        let hypervisor = (try? String(contentsOfFile: "/sys/hypervisor/uuid", encoding: .utf8)) ?? ""
        return vendor.contains("Amazon EC2") || hypervisor.lowercased().hasPrefix("ec2")
    }()
}
