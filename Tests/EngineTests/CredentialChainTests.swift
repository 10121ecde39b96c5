import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension EngineEndToEnd {
    /// Credentials as pods get them (DESIGN.md's chain), against moto's STS and S3 with signature
    /// checking for S3: a role assumed with an external id and a web identity (through an STS
    /// stand-in: moto's STS refuses every AssumeRole once signatures are checked), the container
    /// credentials endpoint and IMDSv2 (stand-ins too), all serving moto's real temporary keys,
    /// expiring at once so every request refreshes them. No secret reaches any output.
    @Suite("engine: the AWS credential chain", .serialized)
    struct CredentialChainTests {
        static let env = EngineFixtures.env
        static let externalRole = "arn:aws:iam::123456789012:role/lakeingest-test-external-role"
        static let externalId = "lakeingest-external-id"

        /// A bucket with one Parquet file under `events/`; returns the bucket.
        static func lake(_ root: String) async throws -> String {
            let bucket = "creds-\(UInt32.random(in: 0...UInt32.max))"
            let store = EngineFixtures.s3Store(bucket)
            try await store.createBucket()
            let path = root + "/part.parquet"
            try EngineFixtures.lake(["parquet", "--out", path, "--batch", "1", "--rows", "30"])
            try await store.put("events/part-0.parquet", body: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            return bucket
        }

        /// A task on the bucket whose storage block is `storage` (no keys unless it names them).
        static func config(_ bucket: String, storage: String, in folder: String) throws -> String {
            try EngineFixtures.configuration("""
                {"taskName": "creds", "table": "events", "source": {"type": "s3-data-lake", "location": "s3://\(bucket)/events/",
                 "storage": \(storage)}, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: folder).path
        }

        static var endpointBlock: String {
            "\"region\": \"\(env["LAKEINGEST_S3_REGION"] ?? "us-east-1")\", \"endpoint\": \"\(env["LAKEINGEST_S3_ENDPOINT"] ?? "")\", \"pathStyle\": true"
        }

        /// The credentials stand-in, serving moto's temporary keys; its base URI.
        static func standIn(_ root: String, token: String, webToken: String) async throws -> (uri: String, process: Process) {
            let state = root + "/stand-in.json"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", Repository.fixtures + "/s3/credentials_stand_in.py", "--state-file", state,
                                 "--access-key", env["LAKEINGEST_S3_SESSION_ACCESS_KEY"] ?? "",
                                 "--secret-key", env["LAKEINGEST_S3_SESSION_SECRET_KEY"] ?? "",
                                 "--token", env["LAKEINGEST_S3_SESSION_TOKEN"] ?? "", "--auth-token", token,
                                 "--caller-key", env["LAKEINGEST_S3_ACCESS_KEY"] ?? "", "--role-arn", externalRole,
                                 "--external-id", externalId, "--web-token", webToken]
            // Its own output, not the test runner's: a child holding the runner's pipe keeps it open.
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<100 {
                if let data = FileManager.default.contents(atPath: state),
                   let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let uri = object["uri"] as? String {
                    return (uri, process)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            process.terminate()
            throw FixtureError(message: "the credentials stand-in did not start")
        }

        static func stop(_ process: Process) {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        static func counts(_ uri: String) throws -> [String: Int] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(string: uri + "/_count")!)) as? [String: Int] ?? [:]
        }

        static func expectNoSecret(_ texts: [String], _ secrets: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            for text in texts {
                for secret in secrets where !secret.isEmpty {
                    #expect(!text.contains(secret), "a secret reached the output", sourceLocation: sourceLocation)
                }
            }
        }

        @Test("roleArn with externalId: assumed through STS, signed with the configured keys; a wrong external id is refused, saying so; a web identity token file with AWS_ROLE_ARN")
        func assumeRole() async throws {
            guard EngineFixtures.requireServers(s3: true) else { return }
            let root = EngineFixtures.temporaryDirectory("assume")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let bucket = try await Self.lake(root)
            let webToken = "web-identity-\(UInt32.random(in: 0...UInt32.max))"
            let (uri, process) = try await Self.standIn(root, token: "", webToken: webToken)
            defer { Self.stop(process) }
            let sts = ["AWS_ENDPOINT_URL_STS": uri + "/sts"]
            let keys = "\"accessKey\": \"\(Self.env["LAKEINGEST_S3_ACCESS_KEY"] ?? "")\", \"secretKey\": \"\(Self.env["LAKEINGEST_S3_SECRET_KEY"] ?? "")\""
            let good = try Self.config(bucket, storage: "{\(keys), \(Self.endpointBlock), \"roleArn\": \"\(Self.externalRole)\", \"externalId\": \"\(Self.externalId)\"}",
                                       in: root + "/good")
            let run = try EngineFixtures.worker(["run", "--config", good], environment: sts)
            #expect(run.status == 0, "\(run.all.suffix(1500))")
            #expect(try PushedSegments(folder: root + "/good/segments").rowCount == 30, "S3 read with the assumed role's keys")

            let bad = try Self.config(bucket, storage: "{\(keys), \(Self.endpointBlock), \"roleArn\": \"\(Self.externalRole)\", \"externalId\": \"wrong\"}",
                                      in: root + "/bad")
            let refused = try EngineFixtures.worker(["run", "--config", bad], environment: sts)
            #expect(refused.status == 1)
            let error = try NewUserTests.status(root + "/bad/state")["error"] as? [String: Any]
            #expect(error?["category"] as? String == "credentials" && (error?["message"] as? String)?.contains("assume role") == true
                    && (error?["message"] as? String)?.contains("AccessDenied") == true, "\(String(describing: error))")

            let tokenFile = root + "/web-token"
            try webToken.write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let web = try Self.config(bucket, storage: "{\(Self.endpointBlock)}", in: root + "/web")
            let viaWeb = try EngineFixtures.worker(["run", "--config", web], environment: sts.merging(
                ["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": Self.externalRole]) { $1 })
            #expect(viaWeb.status == 0, "\(viaWeb.all.suffix(1500))")
            #expect(try PushedSegments(folder: root + "/web/segments").rowCount == 30)
            let counts = try Self.counts(uri)
            #expect((counts["sts"] ?? 0) >= 1 && (counts["web"] ?? 0) >= 1 && counts["refused"] ?? 0 >= 1, "\(counts)")
            Self.expectNoSecret([run.all, refused.all, viaWeb.all, try String(contentsOfFile: root + "/good/state/status.json", encoding: .utf8)],
                                [Self.env["LAKEINGEST_S3_SECRET_KEY"] ?? "", Self.env["LAKEINGEST_S3_SESSION_SECRET_KEY"] ?? "",
                                 Self.env["LAKEINGEST_S3_SESSION_TOKEN"] ?? "", webToken])
        }

        @Test("no keys configured: the container credentials endpoint (with its authorization token) and IMDSv2 serve keys, refreshed as they expire")
        func metadataEndpoints() async throws {
            guard EngineFixtures.requireServers(s3: true) else { return }
            let root = EngineFixtures.temporaryDirectory("endpoints")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let bucket = try await Self.lake(root)
            let token = "pod-identity-token-\(UInt32.random(in: 0...UInt32.max))"
            let (uri, process) = try await Self.standIn(root, token: token, webToken: "unused")
            defer { Self.stop(process) }
            let storage = "{\(Self.endpointBlock)}"

            let container = try Self.config(bucket, storage: storage, in: root + "/container")
            let viaContainer = try EngineFixtures.worker(["run", "--config", container],
                                                         environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": token])
            #expect(viaContainer.status == 0, "\(viaContainer.all.suffix(1500))")
            #expect(try PushedSegments(folder: root + "/container/segments").rowCount == 30)

            let imds = try Self.config(bucket, storage: storage, in: root + "/imds")
            let viaIMDS = try EngineFixtures.worker(["run", "--config", imds], environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": uri])
            #expect(viaIMDS.status == 0, "\(viaIMDS.all.suffix(1500))")
            #expect(try PushedSegments(folder: root + "/imds/segments").rowCount == 30)

            let counts = try Self.counts(uri)
            #expect((counts["creds"] ?? 0) > 1 && (counts["imds"] ?? 0) > 1 && (counts["tokens"] ?? 0) >= 1,
                    "keys within five minutes of expiry are fetched again before a request: \(counts)")

            let wrongToken = try Self.config(bucket, storage: storage, in: root + "/wrong")
            let refused = try EngineFixtures.worker(["run", "--config", wrongToken],
                                                    environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "nope"])
            #expect(refused.status == 1 && refused.all.contains("container credentials endpoint") && refused.all.contains("401"), "\(refused.all.suffix(800))")
            Self.expectNoSecret([viaContainer.all, viaIMDS.all, refused.all],
                                [Self.env["LAKEINGEST_S3_SESSION_SECRET_KEY"] ?? "", Self.env["LAKEINGEST_S3_SESSION_TOKEN"] ?? "", token])
        }
    }
}
