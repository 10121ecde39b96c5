@testable import Iceberg
import ObjectStore
import Testing
import TestSupport

/// Secrets a catalog hands out or a request carries never print: vended credentials in a loaded
/// table's config, the session token inside a signature, userinfo in a catalog URI.
@Suite("Iceberg: printing redacts secrets")
struct RedactionTests {
    static let secret = "CANARY-SECRET-0b6e71d2"
    static let token = "CANARY-TOKEN-93ac5f07"

    static func printed(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), dumped]
    }

    @Test("vended credentials in LoadedTable.config")
    func vended() async throws {
        let loaded = LoadedTable(metadataLocation: "s3://b/t/metadata/1.json", metadata: try await IcebergFixtures.metadata("orders_v2"), config: [
            "s3.access-key-id": "AKIDVENDED", "s3.secret-access-key": Self.secret, "s3.session-token": Self.token, "client.region": "us-east-1",
        ])
        for text in Self.printed(loaded) {
            #expect(!text.contains(Self.secret) && !text.contains(Self.token), "\(text)")
            #expect(text.contains("AKIDVENDED"))
        }
        #expect(loaded.config["s3.secret-access-key"] == Self.secret, "the value itself stays usable")
    }

    @Test("a signature's canonical request holds the session token; printing it does not")
    func signature() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: Self.secret, sessionToken: Self.token),
                                 region: "us-east-1", service: "glue")
        let signature = signer.sign(SigV4Signer.Request(method: "GET", path: "/v1/config", headers: [("host", "glue.us-east-1.amazonaws.com")],
                                                        payloadHash: SigV4Signer.emptyPayloadHash), epochSeconds: 1_700_000_000)
        #expect(signature.canonicalRequest.contains(Self.token), "the token is signed")
        for text in Self.printed(signature) {
            #expect(!text.contains(Self.secret) && !text.contains(Self.token), "\(text)")
            #expect(text.contains(signature.signature))
        }
    }

    @Test("userinfo in a catalog URI is neither sent nor printed")
    func userinfo() async throws {
        let catalog = try RESTCatalog(RESTCatalog.Configuration(flavour: .rest, uri: "http://user:\(Self.secret)@127.0.0.1:9/iceberg",
                                                                retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxElapsed: .seconds(600))))
        #expect(!catalog.endpointDescription.contains(Self.secret))
        #expect(catalog.endpointDescription.contains("http://127.0.0.1:9/iceberg"))
        let error = await #expect(throws: IcebergError.self) { try await catalog.loadConfig() }
        #expect(error.map { !"\($0)".contains(Self.secret) && !"\($0)".contains("user") && "\($0)".contains("127.0.0.1:9") } == true, "\(error!)")
        // The endpoint and path tried, the attempts, the system's words: no Swift type names.
        let text = "\(error!)"
        #expect(text.contains("endpoint http://127.0.0.1:9/iceberg/v1/config") && text.contains("after 2 attempts over"), "\(text)")
        #expect(!text.contains("IOError") && !text.contains("HTTPClientError") && !text.contains("bucket"), "\(text)")
    }
}
