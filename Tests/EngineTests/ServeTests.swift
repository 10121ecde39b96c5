import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

extension EngineEndToEnd {
    /// `ingest-worker serve` as a process with three tasks — a local Iceberg table, an S3 data
    /// lake on moto, one whose storage keys are wrong — and a configuration that does not parse;
    /// every call of DESIGN.md's table, the metrics page parsed by Prometheus' own parser, the
    /// token, and SIGTERM during a run.
    @Suite("service: serve with three tasks", .serialized)
    struct ServeTests {
        struct Answer {
            var status: Int
            var body: Data
            var json: Any? { try? JSONSerialization.jsonObject(with: body) }
            var object: [String: Any] { json as? [String: Any] ?? [:] }
            var text: String { String(decoding: body, as: UTF8.self) }
        }

        static func call(_ method: String, _ url: String, token: String? = nil) throws -> Answer {
            var request = URLRequest(url: URL(string: url)!)
            request.httpMethod = method
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            let result = LockedBox<Result<Answer, any Error>?>(nil)
            let done = DispatchSemaphore(value: 0)
            URLSession.shared.dataTask(with: request) { data, response, error in
                result.value = error.map { .failure($0) } ?? .success(Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data ?? Data()))
                done.signal()
            }.resume()
            done.wait()
            return try result.value!.get()
        }

        /// Waits until `condition` holds (up to `seconds`).
        static func until(_ seconds: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return true }
                usleep(100_000)
            }
            return false
        }

        struct Served {
            let root = EngineFixtures.temporaryDirectory("serve")
            let bucket = "serve-\(UInt32.random(in: 0...UInt32.max))"
            let port = NewUserTests.closedPort()
            var url: String { "http://127.0.0.1:\(port)" }
            let wrongSecret = "wrong-secret-\(UInt32.random(in: 0...UInt32.max))-do-not-print"

            init() async throws {
                let tasks = root + "/tasks"
                try FileManager.default.createDirectory(atPath: tasks, withIntermediateDirectories: true)
                try await EngineFixtures.s3Store(bucket).createBucket()
                try EngineFixtures.python("""
                    import boto3, io, os, pyarrow as pa, pyarrow.parquet as pq
                    s3 = boto3.client("s3", endpoint_url=os.environ["LAKEINGEST_S3_ENDPOINT"], region_name="us-east-1",
                                      aws_access_key_id=os.environ["LAKEINGEST_S3_ACCESS_KEY"], aws_secret_access_key=os.environ["LAKEINGEST_S3_SECRET_KEY"])
                    for f in range(3):
                        t = pa.table({"id": pa.array(range(f * 100, (f + 1) * 100), pa.int64()), "name": [f"n{i}" for i in range(100)]})
                        b = io.BytesIO(); pq.write_table(t, b)
                        s3.put_object(Bucket="\(bucket)", Key=f"events/part-{f}.parquet", Body=b.getvalue())
                    """)
                let example = Repository.root + "/examples/lake/shop/orders"
                try """
                    {"taskName": "orders", "table": "orders", "source": {"type": "iceberg-table", "location": "file://\(example)"},
                     "segments": {"maxRowsPerSegment": 30}, "push": {"outputDir": "\(root)/out-orders"}, "stateDir": "\(root)/state-orders"}
                    """.write(toFile: tasks + "/orders.json", atomically: true, encoding: .utf8)
                try """
                    {"taskName": "events", "table": "events", "source": {"type": "s3-data-lake", "location": "s3://\(bucket)/events/",
                     "storage": \(EngineFixtures.motoStorage)}, "push": {"outputDir": "\(root)/out-events"}, "stateDir": "\(root)/state-events"}
                    """.write(toFile: tasks + "/events.json", atomically: true, encoding: .utf8)
                let env = EngineFixtures.env
                try """
                    {"taskName": "wrongkeys", "table": "wrong", "source": {"type": "s3-data-lake", "location": "s3://\(bucket)/events/",
                     "storage": {"accessKey": "\(env["LAKEINGEST_S3_ACCESS_KEY"] ?? "")", "secretKey": "\(wrongSecret)", "region": "us-east-1",
                                 "endpoint": "\(env["LAKEINGEST_S3_ENDPOINT"] ?? "")", "pathStyle": true}},
                     "push": {"outputDir": "\(root)/out-wrong"}, "stateDir": "\(root)/state-wrong"}
                    """.write(toFile: tasks + "/wrong.json", atomically: true, encoding: .utf8)
                try #"{"taskName": "broken", "#.write(toFile: tasks + "/broken.json", atomically: true, encoding: .utf8)
            }

            func start(_ extra: [String] = [], environment: [String: String] = [:]) throws -> RunningProcess {
                try ProcessRunner.start(EngineFixtures.worker, ["serve", "--tasks", root + "/tasks", "--http", "127.0.0.1:\(port)"] + extra,
                                        environment: environment)
            }
        }

        @Test("every call answers with its shape and code; trigger is 409 while a run goes; pause makes runs skip; the failing task says what to fix; metrics equal the status files; SIGTERM mid-run exits 0")
        func serve() async throws {
            guard EngineFixtures.requireServers(s3: true) else { return }
            let served = try await Served()
            defer { try? FileManager.default.removeItem(atPath: served.root) }
            // Each push takes 400 ms, so that a run is seen running.
            let process = try served.start(["--max-concurrent-runs", "3"], environment: ["LAKEINGEST_FAULT_SLOW_AT": "push:400"])
            var ended = false
            defer { if !ended { process.send(SIGKILL); _ = process.wait() } }
            let url = served.url
            #expect(Self.until(20) { (try? Self.call("GET", url + "/healthz"))?.status == 200 }, "the service answers")
            let everyRunEnded = Self.until(90) {
                let tasks = (try? Self.call("GET", url + "/tasks"))?.json as? [[String: Any]] ?? []
                return tasks.count == 3 && tasks.allSatisfy { !($0["lastRunEndedAt"] is NSNull) && $0["lastRunEndedAt"] != nil }
            }
            #expect(everyRunEnded)
            var answers: [String] = []
            func get(_ path: String) throws -> Answer {
                let answer = try Self.call("GET", url + path)
                answers.append(answer.text)
                return answer
            }

            let ready = try get("/readyz")
            #expect(ready.status == 503 && ready.text.contains("broken.json") && (ready.object["error"] as? [String: Any])?["code"] as? String == "notReady")
            let tasks = try get("/tasks").json as? [[String: Any]] ?? []
            #expect(tasks.map { $0["name"] as? String ?? "" } == ["events", "orders", "wrongkeys"], "file order: \(tasks)")
            for task in tasks {
                for key in ["name", "table", "state", "enabled", "lastIngestedSnapshotId", "lastRunStartedAt", "lastRunEndedAt", "nextRunAt"] {
                    #expect(task.keys.contains(key), "\(key) in \(task)")
                }
            }
            let state = Dictionary(uniqueKeysWithValues: tasks.map { ($0["name"] as? String ?? "", $0["state"] as? String ?? "") })
            #expect(state == ["events": "COMPLETED", "orders": "COMPLETED", "wrongkeys": "FAILED"], "\(state)")

            let orders = try get("/tasks/orders").object
            #expect(orders["rowsIngested"] as? Int == 80 && orders["segmentsPushed"] as? Int == 4 && orders["enabled"] as? Bool == true)
            let snapshot = try #require(orders["lastIngestedSnapshotId"] as? NSNumber).int64Value
            let wrong = try get("/tasks/wrongkeys").object
            let error = wrong["error"] as? [String: Any] ?? [:]
            #expect(error["category"] as? String == "credentials", "\(error)")
            #expect((error["message"] as? String ?? "").contains("secret"), "the error names what to fix: \(error)")

            let checkpoint = try get("/tasks/orders/checkpoint").object
            #expect((checkpoint["snapshotId"] as? NSNumber)?.int64Value == snapshot)
            let segments = try get("/tasks/orders/segments").json as? [[String: Any]] ?? []
            #expect(segments.count == 4 && segments.reduce(0) { $0 + ($1["rows"] as? Int ?? 0) } == 80)
            let files = try get("/tasks/orders/snapshots/\(snapshot)/files").json as? [[String: Any]] ?? []
            #expect(files.count == 9 && files.reduce(0) { $0 + ($1["rows"] as? Int ?? 0) } == 80 && files.allSatisfy { !($0["segments"] as? [String] ?? []).isEmpty && $0["kind"] as? String == "data" })
            #expect(try get("/tasks/orders/snapshots/x/files").status == 400)
            let missing = try get("/tasks/nope")
            #expect(missing.status == 404 && (missing.object["error"] as? [String: Any])?["code"] as? String == "notFound")
            #expect(try get("/tasks/..%2F..%2Fetc%2Fpasswd").status == 404, "a name is looked up, never a path")
            let page = try get("/")
            #expect(page.status == 200 && page.text.contains("<table") && page.text.contains("/tasks"))

            // Trigger, and 409 while the run goes: from scratch again, its four pushes take 400 ms each.
            try FileManager.default.removeItem(atPath: served.root + "/state-orders")
            let trigger = try Self.call("POST", url + "/tasks/orders/trigger")
            #expect(trigger.status == 202)
            #expect(Self.until(5) { (try? Self.call("GET", url + "/tasks/orders"))?.object["state"] as? String == "RUNNING" })
            let again = try Self.call("POST", url + "/tasks/orders/trigger")
            #expect(again.status == 409 && (again.object["error"] as? [String: Any])?["code"] as? String == "running", "\(again.text)")

            // Pause: a run triggered now is skipped; resume.
            let paused = try Self.call("POST", url + "/tasks/events/pause")
            #expect(paused.status == 200 && paused.object["enabled"] as? Bool == false)
            #expect(try Self.call("POST", url + "/tasks/events/trigger").status == 202)
            #expect(Self.until(20) { (try? Self.call("GET", url + "/metrics"))?.text.contains(#"lakeingest_runs_total{task="events",outcome="paused"} 1"#) == true },
                    "the paused task's run was skipped")
            #expect((try Self.call("GET", url + "/tasks")).json.map { "\($0)" }?.contains("enabled") == true)
            let resumed = try Self.call("POST", url + "/tasks/events/resume")
            #expect(resumed.status == 200 && resumed.object["enabled"] as? Bool == true)
            #expect(Self.until(30) { (try? Self.call("GET", url + "/tasks/orders"))?.object["state"] as? String == "COMPLETED" })

            // The metrics page, parsed by prometheus_client; its counters equal the status files.
            let metrics = try get("/metrics")
            let parsed = served.root + "/metrics.txt"
            try metrics.body.write(to: URL(fileURLWithPath: parsed))
            let events = try get("/tasks/events").object
            try EngineFixtures.python("""
                from prometheus_client.parser import text_string_to_metric_families
                samples = {}
                for family in text_string_to_metric_families(open("\(parsed)").read()):
                    for s in family.samples:
                        samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
                def value(name, **labels):
                    return samples.get((name, tuple(sorted(labels.items()))), 0)
                # Two runs of orders ingested the table from scratch; every other run found nothing new.
                assert value("lakeingest_rows_ingested_total", task="orders") == 2 * 80, samples
                assert value("lakeingest_rows_ingested_total", task="events") == \(events["rowsIngested"] as? Int ?? -1), samples
                assert value("lakeingest_segments_pushed_total", task="orders") == 2 * 4
                assert value("lakeingest_runs_total", task="orders", outcome="completed") == 2
                assert value("lakeingest_runs_total", task="wrongkeys", outcome="failed") >= 1
                assert value("lakeingest_task_state", task="wrongkeys", state="FAILED") == 1
                assert value("lakeingest_push_duration_seconds_count", task="orders") == 2 * 4
                assert value("lakeingest_run_duration_seconds_count", task="orders") == 2
                assert value("lakeingest_last_success_timestamp_seconds", task="orders") > 1.7e9
                """)

            // SIGTERM during a run, mid-push: the push in flight and its record finish, the process exits 0.
            try FileManager.default.removeItem(atPath: served.root + "/state-orders")
            #expect(try Self.call("POST", url + "/tasks/orders/trigger").status == 202)
            #expect(Self.until(10) { (try? Self.call("GET", url + "/tasks/orders"))?.object["state"] as? String == "RUNNING" })
            usleep(600_000)
            process.send(SIGTERM)
            let result = process.wait()
            ended = true
            #expect(result.status == 0, "\(result.all.suffix(800))")
            let folder = StateFolder(served.root + "/state-orders")
            let status = try #require(try await folder.status())
            #expect(status.state != .running, "the run ended and said so: \(status.state)")
            let recorded = try await folder.ledger().map(\.segment)
            let pushed = try PushedSegments(folder: served.root + "/out-orders").names
            #expect(!recorded.isEmpty && Set(recorded).isSubset(of: Set(pushed)), "every recorded segment is pushed: \(recorded) of \(pushed)")
            for secret in [served.wrongSecret, EngineFixtures.env["LAKEINGEST_S3_SECRET_KEY"] ?? "unset-secret"] {
                #expect(!result.all.contains(secret) && !answers.contains { $0.contains(secret) }, "a secret in an answer or the log")
            }
        }

        @Test("a non-loopback address needs a token; with one, every call but /healthz is 401 without it, and the token is never printed")
        func token() async throws {
            guard EngineFixtures.requireServers(s3: true) else { return }
            let served = try await Served()
            defer { try? FileManager.default.removeItem(atPath: served.root) }
            let refused = try ProcessRunner.run(EngineFixtures.worker, ["serve", "--tasks", served.root + "/tasks", "--http", "0.0.0.0:\(served.port)"])
            #expect(refused.status != 0 && refused.all.contains("LAKEINGEST_AUTH_TOKEN"), "\(refused.all)")
            let token = "tok-\(UInt64.random(in: 0...UInt64.max))"
            let process = try ProcessRunner.start(EngineFixtures.worker, ["serve", "--tasks", served.root + "/tasks", "--http", "0.0.0.0:\(served.port)"],
                                                  environment: ["LAKEINGEST_AUTH_TOKEN": token])
            let url = served.url
            #expect(Self.until(20) { (try? Self.call("GET", url + "/healthz"))?.status == 200 }, "/healthz needs no token")
            var answers: [String] = []
            for (method, path) in [("GET", "/"), ("GET", "/tasks"), ("GET", "/tasks/orders"), ("GET", "/metrics"), ("GET", "/readyz"),
                                   ("POST", "/tasks/orders/trigger"), ("POST", "/tasks/orders/pause")] {
                let answer = try Self.call(method, url + path)
                answers.append(answer.text)
                #expect(answer.status == 401 && (answer.object["error"] as? [String: Any])?["code"] as? String == "unauthorized", "\(method) \(path): \(answer.status)")
                #expect(try Self.call(method, url + path, token: "not-\(token)").status == 401)
            }
            let allowed = try Self.call("GET", url + "/tasks", token: token)
            answers.append(allowed.text)
            #expect(allowed.status == 200 && (allowed.json as? [[String: Any]])?.count == 3)
            process.send(SIGTERM)
            let result = process.wait()
            #expect(result.status == 0, "\(result.all.suffix(400))")
            #expect(!result.all.contains(token) && !answers.contains { $0.contains(token) }, "the token printed")
        }
    }
}
