import ObjectStore
import Testing

/// Retries and timeouts against a local server that fails on purpose.
@Suite("S3 faults", .serialized)
struct FaultTests {
    static let payload: [UInt8] = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    func store(_ endpoint: String, attempts: Int = 4, readTimeout: Duration = .seconds(5)) -> S3ObjectStore {
        S3ObjectStore(S3Configuration(
            bucket: "faults", region: "us-east-1",
            credentials: AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "not-a-real-secret"),
            endpoint: endpoint, pathStyle: true,
            retry: RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100)),
            connectTimeout: .seconds(2), readTimeout: readTimeout))
    }

    @Test("503 SlowDown then 200: retried, exact bytes")
    func retriesThrottling() async throws {
        let server = FaultServer(payload: Self.payload, script: [.status(503, code: "SlowDown"), .status(500, code: "InternalError"), .serve])
        let endpoint = try await server.start()
        defer { Task { try? await server.stop() } }
        let bytes = try await store(endpoint).get("data.bin", range: .bounded(1000..<150_000))
        #expect(bytes == Array(Self.payload[1000..<150_000]))
        #expect(server.requestCount == 3)
    }

    @Test("a body cut mid-stream is retried")
    func retriesCutBody() async throws {
        let server = FaultServer(payload: Self.payload, script: [.cutBody, .cutBody, .serve])
        let endpoint = try await server.start()
        defer { Task { try? await server.stop() } }
        let bytes = try await store(endpoint).get("data.bin")
        #expect(bytes == Self.payload)
        #expect(server.requestCount == 3)
    }

    @Test("attempts are bounded: the last error says how many were made")
    func attemptsBounded() async throws {
        let server = FaultServer(payload: Self.payload, script: [.status(503, code: "SlowDown")])
        let endpoint = try await server.start()
        defer { Task { try? await server.stop() } }
        let error = await #expect(throws: ObjectStoreError.self) { try await store(endpoint, attempts: 3).get("data.bin") }
        #expect(error?.code == .throttled)
        #expect(error?.attempts == 3)
        #expect(error?.serviceCode == "SlowDown")
        #expect(error?.requestId == "REQ503")
        #expect(server.requestCount == 3)
    }

    @Test("4xx answers are not retried", arguments: [(403, "AccessDenied"), (404, "NoSuchKey"), (400, "InvalidArgument")])
    func noRetryOn4xx(status: Int, code: String) async throws {
        let server = FaultServer(payload: Self.payload, script: [.status(status, code: code)])
        let endpoint = try await server.start()
        defer { Task { try? await server.stop() } }
        let error = await #expect(throws: ObjectStoreError.self) { try await store(endpoint).get("data.bin") }
        #expect(error?.serviceCode == code)
        #expect(error?.key == "data.bin")
        #expect(error?.bucket == "faults")
        #expect(server.requestCount == 1)
    }

    @Test("a server that never answers times out within the read timeout, per attempt")
    func timesOut() async throws {
        let server = FaultServer(payload: Self.payload, script: [.silence])
        let endpoint = try await server.start()
        defer { Task { try? await server.stop() } }
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: ObjectStoreError.self) {
            try await store(endpoint, attempts: 2, readTimeout: .milliseconds(500)).get("data.bin")
        }
        let elapsed = clock.now - start
        #expect(error?.code == .timeout)
        #expect(error?.attempts == 2)
        #expect(error?.endpoint == endpoint, "the server that did not answer is named")
        #expect(error.map { "\($0)".contains("endpoint \(endpoint)") } == true, "\(error.map { "\($0)" } ?? "")")
        #expect(server.requestCount == 2)
        // Generous: on a loaded 2-core machine the event loop may be late; a hang would take minutes.
        #expect(elapsed < .seconds(15), "took \(elapsed)")
        #expect(elapsed >= .milliseconds(900), "took \(elapsed)")
    }
}
