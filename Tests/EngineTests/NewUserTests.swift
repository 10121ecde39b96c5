import Engine
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension EngineEndToEnd {
    /// What a new user hit, reproduced through the CLI the way it was found.
    @Suite("engine: what a new user hit")
    struct NewUserTests {
        @Test("one epoch-0 row in a table partitioned by day(ts): FAILED with the derived time column, COMPLETED with timeColumn null")
        func timeColumnNull() throws {
            let root = EngineFixtures.temporaryDirectory("epoch")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try EngineFixtures.lake(["create", "--state", root + "/lake", "--warehouse", "file://" + root + "/warehouse", "--table", "orders"])
            try EngineFixtures.lake(["append", "--state", root + "/lake", "--table", "orders", "--batch", "1", "--rows", "40", "--epoch-zero"])
            let location = "file://\(root)/warehouse/lake/orders"
            let (derived, _) = try EngineFixtures.configuration("""
                {"taskName": "epoch", "table": "orders", "source": {"type": "iceberg-table", "location": "\(location)"},
                 "push": {"outputDir": "derived-segments"}, "stateDir": "derived-state"}
                """, in: root)
            let stuck = try EngineFixtures.worker(["run", "--config", derived])
            #expect(stuck.status == 1, "the derived time column ts refuses 1970-01-01: \(stuck.all)")
            let failed = try Self.status(root + "/derived-state")
            let error = failed["error"] as? [String: Any]
            #expect(error?["category"] as? String == "invalidValue", "\(failed)")
            #expect((error?["file"] as? String)?.contains("ts_day=1970-01-01") == true && error?["rowGroup"] as? Int == 0
                    && error?["row"] as? Int == 0 && error?["column"] as? String == "ts", "the error names the file, row group and row: \(failed)")
            #expect((error?["message"] as? String)?.contains("continueOnRowError") == true, "\(failed)")
            let validate = try EngineFixtures.worker(["validate", "--config", derived])
            #expect(validate.status != 0, "validate samples the time column: \(validate.all)")
            #expect(validate.output.contains("FAIL time column") && validate.output.contains("outside 1971–2071")
                    && validate.output.contains("1970-01-01T00:00:00Z") && validate.output.contains("schema.timeColumn"), "\(validate.output)")
            let schema = try EngineFixtures.worker(["schema", "--config", derived])
            #expect(schema.output.contains("dateTimeFieldSpecs") && schema.output.contains("\"ts\""), "\(schema.output)")

            let (none, _) = try EngineFixtures.configuration("""
                {"taskName": "epoch", "table": "orders", "source": {"type": "iceberg-table", "location": "\(location)"},
                 "schema": {"timeColumn": null}, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let noTime = try EngineFixtures.worker(["schema", "--config", none])
            let json = try JSONSerialization.jsonObject(with: Data(noTime.output.utf8)) as? [String: Any]
            #expect(json?["dateTimeFieldSpecs"] == nil || (json?["dateTimeFieldSpecs"] as? [Any])?.isEmpty == true, "\(noTime.output)")
            let validateNone = try EngineFixtures.worker(["validate", "--config", none])
            #expect(validateNone.status == 0 && validateNone.output.contains("no time column"), "\(validateNone.all)")
            let run = try EngineFixtures.worker(["run", "--config", none])
            #expect(run.status == 0, "\(run.all)")
            #expect(try PushedSegments(folder: root + "/segments").rowCount == 40)
        }

        @Test("continueOnRowError drops the epoch-0 row and a null time value, counted in the status with file and row; the rest is exact")
        func continueOnRowError() throws {
            let root = EngineFixtures.temporaryDirectory("row-error")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try EngineFixtures.lake(["create", "--state", root + "/lake", "--warehouse", "file://" + root + "/warehouse", "--table", "orders"])
            try EngineFixtures.lake(["append", "--state", root + "/lake", "--table", "orders", "--batch", "1", "--rows", "40", "--epoch-zero"])
            let location = "file://\(root)/warehouse/lake/orders"
            let (config, _) = try EngineFixtures.configuration("""
                {"taskName": "rows", "table": "orders", "source": {"type": "iceberg-table", "location": "\(location)"},
                 "continueOnRowError": true, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let run = try EngineFixtures.worker(["run", "--config", config])
            #expect(run.status == 0, "\(run.all)")
            let status = try Self.status(root + "/state")
            #expect(status["rowsDropped"] as? Int == 1 && status["rowsIngested"] as? Int == 39, "\(status)")
            let dropped = (status["droppedRows"] as? [[String: Any]])?.first
            #expect((dropped?["file"] as? String)?.contains("ts_day=1970-01-01") == true && dropped?["row"] as? Int == 0
                    && dropped?["column"] as? String == "ts" && dropped?["value"] as? String == "0", "\(status)")
            let shown = try EngineFixtures.worker(["status", "--config", config])
            #expect(shown.output.contains("1 rows dropped") && shown.output.contains("dropped row 0 of"), "\(shown.output)")
            var expected = try EngineFixtures.expectedRows(state: root + "/lake", table: "orders").rows
            #expect(expected.removeValue(forKey: 10000) != nil, "the epoch-0 row is batch 1's first")
            let pushed = try PushedSegments(folder: root + "/segments")
            #expect(differences(pushed, expected).isEmpty, "\(differences(pushed, expected))")

            // A null time value in a data lake file: refused by row without the key, dropped with it.
            try FileManager.default.createDirectory(atPath: root + "/nulls", withIntermediateDirectories: true)
            try EngineFixtures.python("""
                import pyarrow as pa, pyarrow.parquet as pq
                ts = pa.array([1_700_000_000_000 + i for i in range(8)], pa.timestamp("ms"))
                ts = pa.array([None if i == 5 else v for i, v in enumerate(ts.to_pylist())], pa.timestamp("ms"))
                pq.write_table(pa.table({"id": pa.array(range(8), pa.int64()), "ts": ts}), "\(root)/nulls/a.parquet", row_group_size=4)
                """)
            let (strict, _) = try EngineFixtures.configuration("""
                {"taskName": "nulls", "table": "events", "source": {"type": "s3-data-lake", "location": "file://../nulls/"},
                 "schema": {"timeColumn": "ts"}, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root + "/strict")
            #expect(try EngineFixtures.worker(["run", "--config", strict]).status == 1)
            let refused = try Self.status(root + "/strict/state")["error"] as? [String: Any]
            #expect(refused?["category"] as? String == "invalidValue" && refused?["rowGroup"] as? Int == 1 && refused?["row"] as? Int == 5
                    && (refused?["message"] as? String)?.contains("null time value") == true, "\(String(describing: refused))")
            let (lenient, _) = try EngineFixtures.configuration("""
                {"taskName": "nulls", "table": "events", "source": {"type": "s3-data-lake", "location": "file://../nulls/"},
                 "schema": {"timeColumn": "ts"}, "continueOnRowError": true, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root + "/lenient")
            #expect(try EngineFixtures.worker(["run", "--config", lenient]).status == 0)
            let kept = try PushedSegments(folder: root + "/lenient/segments")
            #expect(kept.rows.keys.sorted() == [0, 1, 2, 3, 4, 6, 7], "\(kept.rows.keys.sorted())")
            let lenientStatus = try Self.status(root + "/lenient/state")
            #expect(lenientStatus["rowsDropped"] as? Int == 1
                    && ((lenientStatus["droppedRows"] as? [[String: Any]])?.first?["value"]).map { $0 is NSNull } != false, "\(lenientStatus)")
        }

        @Test("schema.maxLength raises and lowers Pinot's maxLength, per column and by default; cut values are counted per column")
        func maxLength() throws {
            let root = EngineFixtures.temporaryDirectory("max-length")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            // `long`: 600 characters in every row (cut at 512 by default); `short`: plain and
            // dictionary-encoded files, with a 4-byte character (two UTF-16 units) in some rows.
            try EngineFixtures.python("""
                import pyarrow as pa, pyarrow.parquet as pq
                for name, dictionary in [("a", False), ("b", True)]:
                    base = 0 if name == "a" else 100
                    ids = list(range(base, base + 6))
                    table = pa.table({
                        "id": pa.array(ids, pa.int64()),
                        "long": ["x" * 600 + str(i) for i in ids],
                        "short": [None, "abc", "0123456789AB", "\\U0001F600" * 6, "0123456789", "é" * 11],
                    })
                    pq.write_table(table, "\(root)/lake/" + name + ".parquet", use_dictionary=dictionary)
                """)
            let (config, _) = try EngineFixtures.configuration("""
                {"taskName": "lengths", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "schema": {"maxLength": {"*": 1000, "short": 10}}, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let schema = try EngineFixtures.worker(["schema", "--config", config])
            #expect(schema.output.contains("\"maxLength\": 1000") && schema.output.contains("\"maxLength\": 10"), "\(schema.output)")
            let run = try EngineFixtures.worker(["run", "--config", config])
            #expect(run.status == 0, "\(run.all)")
            let pushed = try PushedSegments(folder: root + "/segments")
            #expect(pushed.rowCount == 12)
            for (id, row) in pushed.rows {
                #expect(row["long"] == .string(String(repeating: "x", count: 600) + String(id)), "long values are kept whole under maxLength 1000")
            }
            #expect(pushed.rows[2]?["short"] == .string("0123456789") && pushed.rows[102]?["short"] == .string("0123456789"))
            #expect(pushed.rows[3]?["short"] == .string(String(repeating: "\u{1F600}", count: 5)), "10 UTF-16 units are five emoji")
            #expect(pushed.rows[4]?["short"] == .string("0123456789") && pushed.rows[5]?["short"] == .string(String(repeating: "é", count: 10)))
            let status = try Self.status(root + "/state")
            #expect(status["valuesCut"] as? [String: Int] == ["short": 6], "three cut values in each file: \(status)")
            let shown = try EngineFixtures.worker(["status", "--config", config])
            #expect(shown.output.contains("6 values of short cut to its maxLength"), "\(shown.output)")

            for (limits, words) in [("{\"short\": 99999999999}", "Java int"), ("{\"nope\": 5}", "nope, which is not a column"),
                                    ("{\"id\": 5}", "STRING columns")] {
                let bad = root + "/bad-\(words.count).json"
                try """
                    {"taskName": "lengths", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                     "schema": {"maxLength": \(limits)}, "push": {"outputDir": "segments"}, "stateDir": "bad-state"}
                    """.write(toFile: bad, atomically: true, encoding: .utf8)
                let refused = try EngineFixtures.worker(["run", "--config", bad])
                #expect(refused.status != 0 && refused.all.contains(words), "\(limits): \(refused.all)")
            }
        }

        @Test("data-lake schema drift: a column of later files is added with a note, int widens to long, a conflict names both files")
        func schemaDrift() throws {
            let root = EngineFixtures.temporaryDirectory("drift")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            func write(_ name: String, _ script: String) throws {
                try EngineFixtures.python("import pyarrow as pa, pyarrow.parquet as pq\n" + script
                                          + "\npq.write_table(t, \"\(root)/lake/\(name)\")")
            }
            try write("a.parquet", "t = pa.table({'id': pa.array([1, 2], pa.int32()), 'v': pa.array([1.5, 2.5], pa.float32())})")
            try write("b.parquet", "t = pa.table({'id': pa.array([3, 4], pa.int64()), 'v': pa.array([3.5, None], pa.float32()), 'extra': ['x', 'y']})")
            let (config, _) = try EngineFixtures.configuration("""
                {"taskName": "drift", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let schema = try EngineFixtures.worker(["schema", "--config", config])
            #expect(schema.output.contains("\"extra\"") && schema.output.contains("\"LONG\""), "\(schema.output)")
            #expect(try EngineFixtures.worker(["run", "--config", config]).status == 0)
            let first = try Self.status(root + "/state")
            let notes = (first["notes"] as? [String]) ?? []
            #expect(notes.contains { $0.contains("column extra appears first in") && $0.contains("b.parquet") }, "\(notes)")
            #expect(notes.contains { $0.contains("column id widens from int to long") }, "\(notes)")
            var pushed = try PushedSegments(folder: root + "/segments")
            #expect(pushed.rows[1]?["extra"] == .null && pushed.rows[3]?["extra"] == .string("x") && pushed.rows[4]?["extra"] == .string("y"))
            #expect(pushed.rows[2]?["v"] == .float(2.5) && pushed.rows[4]?["v"] == .null)

            // A later file with a column the earlier ones lack: only its footer is read.
            try write("c.parquet", "t = pa.table({'id': pa.array([5], pa.int64()), 'late': pa.array([7], pa.int16())})")
            #expect(try EngineFixtures.worker(["run", "--config", config]).status == 0)
            let second = try Self.status(root + "/state")
            #expect(((second["notes"] as? [String]) ?? []).contains { $0.contains("column late appears first in") }, "\(second)")
            pushed = try PushedSegments(folder: root + "/segments")
            #expect(pushed.rowCount == 5 && pushed.rows[5]?["late"] == .int(7) && pushed.rows[5]?["extra"] == .null)

            // A conflicting type is refused, naming both files; the checkpoint does not move.
            try write("d.parquet", "t = pa.table({'id': pa.array([6], pa.int64()), 'extra': pa.array([1], pa.int64())})")
            #expect(try EngineFixtures.worker(["run", "--config", config]).status == 1)
            let refused = try Self.status(root + "/state")["error"] as? [String: Any]
            let message = refused?["message"] as? String ?? ""
            #expect(refused?["category"] as? String == "schemaMismatch" && message.contains("d.parquet") && message.contains("b.parquet")
                    && refused?["column"] as? String == "extra", "\(String(describing: refused))")
            #expect(try PushedSegments(folder: root + "/segments").rowCount == 5)
        }

        static func status(_ stateDir: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stateDir + "/status.json"))) as? [String: Any] ?? [:]
        }

        @Test("two tasks pointed at one stateDir: the second is refused naming both, the first's state untouched")
        func sharedStateDir() throws {
            let root = EngineFixtures.temporaryDirectory("shared-state")
            defer { try? FileManager.default.removeItem(atPath: root) }
            for lake in ["lake-a", "lake-b"] {
                try FileManager.default.createDirectory(atPath: root + "/" + lake, withIntermediateDirectories: true)
                try EngineFixtures.lake(["parquet", "--out", root + "/\(lake)/p.parquet", "--batch", "1", "--rows", "20"])
            }
            let (first, _) = try EngineFixtures.configuration("""
                {"taskName": "first", "table": "events", "source": {"type": "s3-data-lake", "location": "file://../lake-a/"},
                 "push": {"outputDir": "../segments-a"}, "stateDir": "../state"}
                """, in: root + "/first")
            let (second, _) = try EngineFixtures.configuration("""
                {"taskName": "second", "table": "events", "source": {"type": "s3-data-lake", "location": "file://../lake-b/"},
                 "push": {"outputDir": "../segments-b"}, "stateDir": "../state"}
                """, in: root + "/second")
            #expect(try EngineFixtures.worker(["run", "--config", first]).status == 0)
            let statusBefore = try String(contentsOfFile: root + "/state/status.json", encoding: .utf8)
            let refused = try EngineFixtures.worker(["run", "--config", second])
            #expect(refused.status == 1)
            #expect(refused.all.contains("task first") && refused.all.contains("task second") && refused.all.contains("lake-a"),
                    "\(refused.all)")
            #expect(try String(contentsOfFile: root + "/state/status.json", encoding: .utf8) == statusBefore)
            #expect(!FileManager.default.fileExists(atPath: root + "/segments-b"))
            #expect(try EngineFixtures.worker(["run", "--config", first]).status == 0, "the owner runs on")
        }

        @Test("an outputDir that cannot hold segments fails the run before anything is built, with the system's reason")
        func unwritableOutput() async throws {
            let root = EngineFixtures.temporaryDirectory("output-file")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            try EngineFixtures.lake(["parquet", "--out", root + "/lake/p.parquet", "--batch", "1", "--rows", "20"])
            try Data("not a folder".utf8).write(to: URL(fileURLWithPath: root + "/blocker"))
            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "blocked", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "blocker/segments"}, "stateDir": "state"}
                """, in: root)
            let run = try EngineFixtures.worker(["run", "--config", path, "--json"])
            #expect(run.status == 1)
            #expect(run.all.contains("not a directory") && run.all.contains("blocker"), "\(run.all)")
            #expect(!run.all.contains("error 512"))
            #expect(!run.output.contains("segmentSealed"), "nothing was built")
            #expect(try await StateFolder(root + "/state").status()?.segmentsGenerated == 0)
        }

        /// A loopback port nothing listens on: bound, read back, closed.
        static func closedPort() -> Int {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length)
                    return getsockname(fd, pointer, &length)
                }
            }
            return Int(UInt16(bigEndian: address.sin_port))
        }

        @Test("a controller that refuses the connection: category io, \"connection refused (host:port)\", in seconds")
        func refusedController() async throws {
            let root = EngineFixtures.temporaryDirectory("refused")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            try EngineFixtures.lake(["parquet", "--out", root + "/lake/p.parquet", "--batch", "1", "--rows", "20"])
            let port = Self.closedPort()
            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "refused", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"mode": "tar", "controllerUri": "http://127.0.0.1:\(port)", "authorization": "Bearer never-print-9f3c"},
                 "stateDir": "state"}
                """, in: root)
            let started = Date()
            let run = try EngineFixtures.worker(["run", "--config", path, "--log-level", "trace"])
            let seconds = Date().timeIntervalSince(started)
            #expect(run.status == 1)
            #expect(seconds < 10, "a refused connection is not a timeout: \(seconds) s")
            let error = try await StateFolder(root + "/state").status()?.error
            #expect(error?.category == "io", "\(error?.text ?? run.all)")
            #expect(error?.message.contains("connection refused (127.0.0.1:\(port))") == true, "\(error?.text ?? "")")
            // Trace logging shows each request (its kind, host, path and outcome), never the authorization.
            let requests = run.error.split(separator: "\n").filter { $0.contains("HTTP request") }
            #expect(requests.count >= 2, "one line per attempt: \(run.error.suffix(800))")
            #expect(requests.allSatisfy { $0.contains("method=GET") && $0.contains("host=127.0.0.1:\(port)") && $0.contains("failure=connection refused") },
                    "\(requests)")
            #expect(!run.all.contains("never-print-9f3c"))
        }

        @Test("found early: --log-level loud is refused, a corrupt checkpoint is described in a plain sentence")
        func foundEarly() async throws {
            let root = EngineFixtures.temporaryDirectory("early")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            try EngineFixtures.lake(["parquet", "--out", root + "/lake/p.parquet", "--batch", "1", "--rows", "20"])
            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "early", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let loud = try EngineFixtures.worker(["run", "--config", path, "--log-level", "loud"])
            #expect(loud.status != 0 && loud.all.contains("--log-level loud is not a level"), "\(loud.all)")
            #expect(!FileManager.default.fileExists(atPath: root + "/state"), "nothing written")

            #expect(try EngineFixtures.worker(["run", "--config", path]).status == 0)
            try #"{"formatVersion": 1, "snapshotId": "twelve"}"#.write(toFile: root + "/state/checkpoint.json", atomically: true, encoding: .utf8)
            let corrupt = try EngineFixtures.worker(["run", "--config", path])
            #expect(corrupt.status == 1)
            let error = try await StateFolder(root + "/state").status()?.error
            #expect(error?.message.contains("\"snapshotId\" holds a value of the wrong type") == true, "\(error?.text ?? corrupt.all)")
            #expect(error?.message.contains("CodingKeys") == false && error?.message.contains("DecodingError") == false)
        }

        @Test("maxBytesPerSegment cuts inside a row group larger than it, as maxRowsPerSegment does")
        func bytesWithinRowGroup() async throws {
            let root = EngineFixtures.temporaryDirectory("bytes")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            try EngineFixtures.lake(["parquet", "--out", root + "/lake/big.parquet", "--batch", "1", "--rows", "200000", "--row-group-rows", "200000"])
            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "bytes", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state", "segments": {"maxBytesPerSegment": 1048576}}
                """, in: root)
            let run = try EngineFixtures.worker(["run", "--config", path, "--json"])
            #expect(run.status == 0, "\(run.all)")
            let decoded = RunEventsTests.events(run.output).filter { $0["event"] as? String == "rowGroupDecoded" }
            #expect(decoded.count == 1, "one row group")
            let bytes = decoded.first?["bytes"] as? Int ?? 0
            let ledger = try await StateFolder(root + "/state").ledger()
            #expect(bytes > 4 << 20, "the row group decodes to \(bytes) bytes, several times the target")
            #expect(ledger.count >= bytes / (1 << 20), "\(ledger.count) segments for \(bytes) decoded bytes")
            #expect(ledger.allSatisfy { $0.rows <= 200_000 * (1 << 20) / bytes + 1 }, "\(ledger.map(\.rows))")
            #expect(try PushedSegments(folder: root + "/segments").rowCount == 200_000)
        }

        @Test("schema.excludeColumns leaves a column out: a name Pinot refuses no longer blocks the table")
        func excludeColumns() async throws {
            let root = EngineFixtures.temporaryDirectory("exclude")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            _ = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
                import pyarrow as pa, pyarrow.parquet as pq, sys
                pq.write_table(pa.table({"id": [1, 2, 3], "bad name": ["a", "b", "c"], "city": ["x", "y", "z"]}), sys.argv[1])
                """, root + "/lake/p.parquet"])
            let (blocked, _) = try EngineFixtures.configuration("""
                {"taskName": "exclude", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let refused = try EngineFixtures.worker(["run", "--config", blocked])
            #expect(refused.status == 1)
            let advice = try await StateFolder(root + "/state").status()?.error?.message ?? ""
            #expect(advice.contains("excludeColumns"), "\(advice)")

            try? FileManager.default.removeItem(atPath: root + "/state")
            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "exclude", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "schema": {"excludeColumns": ["bad name"]}, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let schema = try EngineFixtures.worker(["schema", "--config", path])
            #expect(schema.status == 0 && !schema.output.contains("bad name") && schema.output.contains("\"city\""), "\(schema.all)")
            let run = try EngineFixtures.worker(["run", "--config", path])
            #expect(run.status == 0, "\(run.all)")
            let pushed = try PushedSegments(folder: root + "/segments")
            #expect(pushed.rowCount == 3)
            #expect(pushed.rows.values.allSatisfy { $0["bad name"] == nil && $0["city"] != nil })

            let (unknown, _) = try EngineFixtures.configuration("""
                {"taskName": "exclude", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "schema": {"excludeColumns": ["nope"]}, "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let typo = try EngineFixtures.worker(["schema", "--config", unknown])
            #expect(typo.status == 1 && typo.all.contains("names nope, which is not a column"), "\(typo.all)")
        }

        @Test("said plainly: a disabled task, a run with nothing new, columns that differ only in case, a file that fails")
        func wording() async throws {
            let root = EngineFixtures.temporaryDirectory("wording")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            _ = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
                import pyarrow as pa, pyarrow.parquet as pq, sys
                pq.write_table(pa.table({"id": [1, 2], "Name": ["a", "b"], "name": ["c", "d"]}), sys.argv[1])
                """, root + "/lake/p.parquet"])
            let (disabled, _) = try EngineFixtures.configuration("""
                {"taskName": "wording", "enabled": false, "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let off = try EngineFixtures.worker(["run", "--config", disabled])
            #expect(off.status == 0 && off.error.contains("disabled in its configuration") && !off.error.contains("resume"), "\(off.all)")

            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "wording", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            #expect(try EngineFixtures.worker(["run", "--config", path]).status == 0)
            let notes = try await StateFolder(root + "/state").status()?.notes ?? []
            #expect(notes.contains { $0.contains("columns Name and name differ only in case") }, "\(notes)")
            let idle = try EngineFixtures.worker(["run", "--config", path])
            #expect(idle.status == 0)
            let status = try EngineFixtures.worker(["status", "--config", path])
            #expect(status.output.hasPrefix("COMPLETED: nothing new to ingest") && !status.output.contains("0 of 0"), "\(status.output)")

            try Data("PAR1 not parquet at all PAR1".utf8).write(to: URL(fileURLWithPath: root + "/lake/q.parquet"))
            let failed = try EngineFixtures.worker(["run", "--config", path])
            #expect(failed.status == 1)
            #expect(try await StateFolder(root + "/state").status()?.error?.message.contains("continueOnFileError") == true, "\(failed.all)")
        }

        @Test("null-typed columns fit any type and a 0-row file never decides the schema, even sorted first")
        func nullTypedColumns() async throws {
            let root = EngineFixtures.temporaryDirectory("null-typed")
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root + "/lake", withIntermediateDirectories: true)
            let written = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
                import pyarrow as pa, pyarrow.parquet as pq, sys
                lake = sys.argv[1]
                pq.write_table(pa.table({"id": pa.array([], pa.int64()), "city": pa.array([], pa.null())}), lake + "/a-empty.parquet")
                pq.write_table(pa.table({"id": [1, 2], "city": pa.array([None, None], pa.null())}), lake + "/b-nulls.parquet")
                pq.write_table(pa.table({"id": [3], "city": ["Lyon"]}), lake + "/c-strings.parquet")
                """, root + "/lake"])
            #expect(written.status == 0, "\(written.all)")
            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "nulls", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state", "continueOnFileError": true}
                """, in: root)
            let schema = try EngineFixtures.worker(["schema", "--config", path])
            let json = try JSONSerialization.jsonObject(with: Data(schema.output.utf8)) as? [String: Any]
            let dimensions = (json?["dimensionFieldSpecs"] as? [[String: Any]]) ?? []
            #expect(dimensions.first { $0["name"] as? String == "city" }?["dataType"] as? String == "STRING", "\(schema.all)")
            let run = try EngineFixtures.worker(["run", "--config", path])
            #expect(run.status == 0, "\(run.all)")
            let status = try await StateFolder(root + "/state").status()
            #expect(status?.filesIngested == 3 && status?.skippedFiles.isEmpty == true, "\(status?.skippedFiles ?? [])")
            let rows = try PushedSegments(folder: root + "/segments").rows
            #expect(rows.count == 3)
            #expect(rows[3]?["city"] == .string("Lyon"))
            #expect(rows[1]?["city"] == .null && rows[2]?["city"] == .null)
        }

        @Test("Hive-style partition folders are columns typed from their values; *.PARQUET is read; what is not read is listed")
        func hivePartitions() async throws {
            let root = EngineFixtures.temporaryDirectory("hive")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let written = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
                import os, pyarrow as pa, pyarrow.parquet as pq, sys
                lake = sys.argv[1]
                def write(folder, name, ids):
                    os.makedirs(os.path.join(lake, folder), exist_ok=True)
                    pq.write_table(pa.table({"id": pa.array(ids, pa.int64()), "amount": [1.5] * len(ids)}), os.path.join(lake, folder, name))
                write("dt=2024-01-01/hour=7/region=eu", "part-0.parquet", [1, 2])
                write("dt=2024-01-02/hour=13/region=us%2Fwest", "part-0.parquet", [3])
                write("dt=2024-01-02/hour=13/region=__HIVE_DEFAULT_PARTITION__", "part-0.parquet", [4])
                write("", "UPPER.PARQUET", [5])
                open(os.path.join(lake, "notes.txt"), "w").write("not data")
                """, root + "/lake"])
            #expect(written.status == 0, "\(written.all)")
            let (path, _) = try EngineFixtures.configuration("""
                {"taskName": "hive", "table": "events", "source": {"type": "s3-data-lake", "location": "file://lake/"},
                 "push": {"outputDir": "segments"}, "stateDir": "state"}
                """, in: root)
            let schema = try EngineFixtures.worker(["schema", "--config", path])
            let json = try JSONSerialization.jsonObject(with: Data(schema.output.utf8)) as? [String: Any]
            let dimensions = Dictionary(uniqueKeysWithValues: ((json?["dimensionFieldSpecs"] as? [[String: Any]]) ?? []).map {
                ($0["name"] as? String ?? "", $0["dataType"] as? String ?? "")
            })
            #expect(dimensions["dt"] == "STRING" && dimensions["region"] == "STRING" && dimensions["hour"] == "LONG", "\(schema.output)")
            let run = try EngineFixtures.worker(["run", "--config", path])
            #expect(run.status == 0, "\(run.all)")
            let rows = try PushedSegments(folder: root + "/segments").rows
            #expect(rows.count == 5, "*.PARQUET is read too")
            #expect(rows[1]?["dt"] == .string("2024-01-01") && rows[1]?["hour"] == .int(7) && rows[1]?["region"] == .string("eu"))
            #expect(rows[3]?["region"] == .string("us/west"), "percent-decoded as Spark escapes")
            #expect(rows[4]?["region"] == .null && rows[4]?["hour"] == .int(13))
            #expect(rows[5]?["dt"] == .null)
            let notes = try await StateFolder(root + "/state").status()?.notes ?? []
            #expect(notes.contains { $0.contains("notes.txt (not named *.parquet)") }, "\(notes)")
        }
    }
}
