@testable import ObjectStore
import Testing

@Suite("S3 addressing")
struct S3AddressingTests {
    let credentials = AWSCredentials(accessKeyId: "A", secretAccessKey: "S")

    @Test("virtual-hosted by default, path style on request, keys encoded once")
    func addresses() {
        let aws = S3Configuration(bucket: "lake", region: "eu-west-1", credentials: credentials)
        #expect(aws.address(forKey: "t/day=2024-01-01/a b+ü.parquet") ==
                ("https", "lake.s3.eu-west-1.amazonaws.com", "/t/day%3D2024-01-01/a%20b%2B%C3%BC.parquet"))
        let local = S3Configuration(bucket: "lake", region: "us-east-1", credentials: credentials,
                                    endpoint: "http://127.0.0.1:9000/", pathStyle: true)
        #expect(local.address(forKey: "k") == ("http", "127.0.0.1:9000", "/lake/k"))
    }

    @Test("S3 signs the path as sent; other services normalise and encode again")
    func pathRules() {
        let s3 = SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3")
        #expect(s3.canonicalURI("/b/a/./x%3D1//y") == "/b/a/./x%3D1//y")
        let glue = SigV4Signer(credentials: credentials, region: "us-east-1", service: "glue")
        #expect(glue.canonicalURI("/iceberg/v1/namespaces/a%1Fb/./tables") == "/iceberg/v1/namespaces/a%251Fb/tables")
    }
}
