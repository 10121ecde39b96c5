import Engine
import Foundation
import Testing
import TestSupport

/// The task configuration is typed and checked when it is read.
@Suite("engine: task configuration")
struct ConfigurationTests {
    static func parse(_ json: String, base: String = "/srv/tasks") throws(EngineError) -> TaskConfiguration {
        try TaskConfiguration.parse(Data(json.utf8), file: "task.json", baseDirectory: base)
    }

    static let minimal = #""taskName": "t", "table": "orders", "source": {"type": "iceberg-table", "location": "file://lake/orders"}"#

    @Test("defaults, enums and paths made absolute against the configuration's folder")
    func defaults() throws {
        let configuration = try Self.parse("{\(Self.minimal)}")
        #expect(configuration.source.type == .icebergTable)
        #expect(configuration.source.location == "file:///srv/tasks/lake/orders")
        #expect(configuration.stateDir == "/srv/tasks/state")
        #expect(configuration.push.outputDir == "/srv/tasks/out/segments")
        #expect(configuration.push.mode == .local && configuration.push.tarCompression == .gzip)
        #expect(configuration.segments.maxRowsPerSegment == 5_000_000)
        #expect(configuration.schedule.expression == "*/5 * * * *")
        #expect(configuration.schema.includePartitionColumns && configuration.source.nonAppendSnapshots == .mirror)
        #expect(configuration.pipeline.decodeConcurrency >= 1)
        let relative = try Self.parse(#"{"taskName": "t", "table": "o", "source": {"type": "s3-data-lake", "location": "file://../lake/"}, "stateDir": "./s"}"#)
        #expect(relative.source.location == "file:///srv/lake/")
        #expect(relative.stateDir == "/srv/tasks/s")
    }

    @Test("a relative --config resolves against the working directory, then the file's folder")
    func relativeConfigPath() throws {
        let root = URL(fileURLWithPath: EngineFixtures.temporaryDirectory("relative")).standardizedFileURL.path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/cfg", withIntermediateDirectories: true)
        try "{\(Self.minimal)}".write(toFile: root + "/cfg/x.json", atomically: true, encoding: .utf8)
        let text = try ProcessRunner.run(EngineFixtures.worker, ["status", "--config", "cfg/x.json"], currentDirectory: root).error
        #expect(text.contains(root + "/cfg/state/status.json"), "\(text)")
    }

    @Test("mistakes are refused naming the key", arguments: [
        (#"{"taskName": "t", "tabel": "o", "table": "o", "source": {"type": "iceberg-table", "location": "file:///x"}}"#, "unknown key \"tabel\" (did you mean \"table\"?)"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-table", "location": "file:///x", "tableNam": "x"}}"#, "\"source.tableNam\" (did you mean \"source.tableName\"?)"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg", "location": "file:///x"}}"#, "\"source.type\" is \"iceberg\"; it must be one of iceberg-rest, iceberg-table, s3-data-lake"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-table", "location": "file:///x"}, "push": {"mode": "ftp"}}"#, "\"push.mode\" is \"ftp\""),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-table", "location": "file:///x"}, "segments": {"maxRowsPerSegment": 0}}"#, "maxRowsPerSegment"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-table", "location": "file:///x"}, "segments": {"maxRowsPerSegment": "10"}}"#, "must be an integer"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-table", "location": "file:///x"}, "enabled": 1}"#, "\"enabled\" must be true or false"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-table", "location": "file:///x"}, "schedule": "*/5 * *"}"#, "five fields"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-table", "location": "file:///x"}, "schedule": "61 * * * *"}"#, "outside 0–59"),
        (#"{"taskName": "t", "table": "../o", "source": {"type": "iceberg-table", "location": "file:///x"}}"#, "not a valid"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-rest", "restService": "glue", "warehouse": "1"}}"#, "\"source.namespace\" is required"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-table", "location": "file:///x"}, "push": {"mode": "tar"}}"#, "push.controllerUri"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "s3-data-lake"}}"#, "\"source.location\" is required"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "s3-data-lake", "location": "s3://b/p/", "storage": {"accessKey": "AKIA"}}}"#, "\"source.storage.secretKey\" is missing"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "s3-data-lake", "location": "s3://b/p/", "storage": {"secretKey": "s", "accessKey": ""}}}"#, "\"source.storage.accessKey\" is missing"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-rest", "restService": "glue", "warehouse": "1", "namespace": "n", "tableName": "t", "metastore": {"sessionToken": "tok"}}}"#, "\"source.metastore.accessKey\" is missing"),
        (#"[1, 2]"#, "not a JSON object"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "s3-data-lake", "location": "http://example.com/data/"}}"#, "s3://bucket/prefix/ or file:///folder/"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-table", "location": "gs://bucket/t"}}"#, "\"source.location\" is \"gs://bucket/t\""),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-rest", "restService": "glue", "warehouse": "12345", "namespace": "n", "tableName": "t"}}"#, "12 digits"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-table", "location": "file:///x"}, "schedule": "* * 31 2 *"}"#, "names no minute"),
        (#"{"taskName": "t", "table": "o", "source": {"type": "iceberg-table", "location": "file:///x", "type": "s3-data-lake"}}"#, "the key \"type\" appears twice in one object (line 1)"),
        ("{\"taskName\": \"t\",\n \"table\": \"o\",\n \"source\": {\"type\": \"iceberg-table\"", "ends before the JSON does"),
        ("{\"taskName\": \"t\",\n  // the table\n \"table\": \"o\"}", "a comment, which JSON does not allow at line 2, column 3"),
    ])
    func refused(json: String, message: String) {
        do {
            _ = try Self.parse(json)
            Issue.record("accepted: \(json)")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains(message) || error.message.contains(message.replacingOccurrences(of: "not a valid", with: "Pinot table name")),
                    "\(error.message)")
        }
    }

    @Test("cron schedules: the next minute each names, in UTC")
    func cron() throws {
        func next(_ expression: String, _ from: String) throws -> String? {
            let formatter = ISO8601DateFormatter()
            return try CronSchedule(expression).next(after: formatter.date(from: from)!).map(formatter.string)
        }
        #expect(try next("*/5 * * * *", "2026-12-01T10:03:30Z") == "2026-12-01T10:05:00Z")
        #expect(try next("*/5 * * * *", "2026-12-01T10:05:00Z") == "2026-12-01T10:10:00Z")
        #expect(try next("0 3 * * *", "2026-12-01T10:03:30Z") == "2026-12-02T03:00:00Z")
        #expect(try next("30 9 1 * *", "2026-12-01T10:03:30Z") == "2027-01-01T09:30:00Z")
        #expect(try next("0 0 * * 0", "2026-12-01T10:03:30Z") == "2026-12-06T00:00:00Z", "Sunday")
        #expect(try next("15,45 8-9 * 6 *", "2026-12-01T10:03:30Z") == "2027-06-01T08:15:00Z")
        #expect(try next("0 12 29 2 *", "2026-12-01T00:00:00Z") == "2028-02-29T12:00:00Z")
        #expect(throws: CronSchedule.Failure.self) { try CronSchedule("* * * 13 *") }
        #expect(throws: CronSchedule.Failure.self) { try CronSchedule("*/0 * * * *") }
    }
}
