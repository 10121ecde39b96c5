/// Where a bucket is and how to reach it.
public struct S3Configuration: Sendable {
    public var bucket: String
    public var region: String
    public var credentials: AWSCredentials
    /// Temporary keys for each request (``CredentialChain``); `credentials` when nil.
    public var credentialProvider: (any CredentialProvider)?
    /// An S3-compatible endpoint (`http://127.0.0.1:9000`); nil for AWS (`https://s3.{region}.amazonaws.com`).
    public var endpoint: String?
    /// Path-style addressing (`endpoint/bucket/key`) instead of virtual-hosted (`bucket.endpoint/key`).
    public var pathStyle: Bool
    public var retry: RetryPolicy
    public var connectTimeout: Duration
    /// The longest wait for the next bytes of an answer.
    public var readTimeout: Duration
    /// `max-keys` for each listing page (nil: the server's default, 1,000 on S3).
    public var listPageSize: Int?
    /// `putFile` uses a multipart upload for files larger than this.
    public var multipartThreshold = 64 << 20
    /// The size of each part of a multipart upload (at least 5 MiB, S3's minimum).
    public var partSize = 16 << 20

    public init(
        bucket: String, region: String, credentials: AWSCredentials, endpoint: String? = nil, pathStyle: Bool = false,
        retry: RetryPolicy = RetryPolicy(), connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(30),
        listPageSize: Int? = nil
    ) {
        self.bucket = bucket
        self.region = region
        self.credentials = credentials
        self.endpoint = endpoint
        self.pathStyle = pathStyle
        self.retry = retry
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.listPageSize = listPageSize
    }

    /// Scheme, host (with port when it is not the scheme's default) and path prefix for `key`.
    func address(forKey key: String) -> (scheme: String, host: String, path: String) {
        let encodedKey = URIEncoding.encode(key, keepSlash: true)
        var base = endpoint ?? "https://s3.\(region).amazonaws.com"
        if !base.contains("://") { base = "https://" + base }
        let scheme = base.hasPrefix("http://") ? "http" : "https"
        var authority = String(base.dropFirst(scheme.count + 3))
        while authority.hasSuffix("/") { authority.removeLast() }
        if pathStyle {
            return (scheme, authority, "/" + URIEncoding.encode(bucket) + "/" + encodedKey)
        }
        return (scheme, bucket + "." + authority, "/" + encodedKey)
    }
}
