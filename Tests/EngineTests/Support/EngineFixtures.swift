import Columnar
import Engine
import Foundation
import ObjectStore
import Pinot
import Testing
import TestSupport

/// The repository, the worker binary, the servers `make test` starts, and pyiceberg tables made
/// with `Tests/Fixtures/engine/lake.py`.
enum EngineFixtures {
    static let env = Repository.environment
    static let worker = Repository.workerBinary
    static let lakeScript = Repository.fixtures + "/engine/lake.py"
    static let s3 = env["LAKEINGEST_S3_ENDPOINT"] != nil
    static let catalog = env["LAKEINGEST_CATALOG_URI"] != nil
    /// Under CI every server must be there: a test that would be skipped fails instead.
    static let ci = Repository.underCI

    /// Records a failure under CI when the servers a test needs are absent.
    static func requireServers(s3 needsS3: Bool = false, catalog needsCatalog: Bool = false,
                               sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let missing = (needsS3 && !s3) || (needsCatalog && !catalog)
        return RequiredInput.check(!missing, "CI=true but the test servers are not running (run the suite through make test)",
                                   sourceLocation: sourceLocation)
    }

    /// The ledger's segment objects in a local state folder (`ledger/<step>/seg-<name>.json`).
    static func ledgerObjects(_ state: String) -> [String] {
        let fm = FileManager.default
        var found: [String] = []
        for step in (try? fm.contentsOfDirectory(atPath: state + "/ledger")) ?? [] {
            for name in (try? fm.contentsOfDirectory(atPath: state + "/ledger/" + step)) ?? [] where name.hasPrefix("seg-") && name.hasSuffix(".json") {
                found.append(step + "/" + name)
            }
        }
        return found.sorted()
    }

    /// A new folder `<tmp>/lakeingest-<label>-<random>`; the caller removes it.
    static func temporaryDirectory(_ label: String) -> String {
        let path = TemporaryFolder.uniquePath(label)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `ingest-worker ARGS`.
    @discardableResult
    static func worker(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.run(worker, arguments, environment: environment)
    }

    /// `python3 lake.py ARGS`; fails the test with the script's output when it fails.
    @discardableResult
    static func lake(_ arguments: [String]) throws -> String {
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", lakeScript] + arguments)
        guard result.status == 0 else {
            throw FixtureError(message: "lake.py \(arguments.first ?? "") failed: \(result.all.suffix(2000))")
        }
        return result.output
    }

    /// `python3 -c SCRIPT`: a small fixture written by pyarrow in the test that uses it.
    static func python(_ script: String) throws {
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script])
        guard result.status == 0 else { throw FixtureError(message: "python3 failed: \(result.all.suffix(2000))") }
    }

    /// pyiceberg's scan of a table as Pinot rows, by id.
    static func expectedRows(state: String, table: String) throws -> (rows: [Int64: [String: Any]], metadataLocation: String, snapshots: [Int64]) {
        let json = try lake(["expected", "--state", state, "--table", table])
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        var rows: [Int64: [String: Any]] = [:]
        for row in document["rows"] as! [[String: Any]] { rows[(row["id"] as! NSNumber).int64Value] = row }
        let snapshots = (document["snapshots"] as! [[String: Any]]).map { ($0["id"] as! NSNumber).int64Value }
        return (rows, document["metadataLocation"] as! String, snapshots)
    }

    /// Writes a task configuration into `folder` and loads it.
    static func configuration(_ json: String, in folder: String) throws -> (path: String, configuration: TaskConfiguration) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/task.json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, try TaskConfiguration.load(path: path))
    }

    /// The S3 store for `bucket` on moto.
    static func s3Store(_ bucket: String) -> S3ObjectStore {
        S3ObjectStore(S3Configuration(
            bucket: bucket, region: env["LAKEINGEST_S3_REGION"] ?? "us-east-1",
            credentials: AWSCredentials(accessKeyId: env["LAKEINGEST_S3_ACCESS_KEY"]!, secretAccessKey: env["LAKEINGEST_S3_SECRET_KEY"]!),
            endpoint: env["LAKEINGEST_S3_ENDPOINT"]!, pathStyle: true))
    }

    /// The storage block for moto, as JSON.
    static var motoStorage: String {
        """
        {"accessKey": "\(env["LAKEINGEST_S3_ACCESS_KEY"] ?? "")", "secretKey": "\(env["LAKEINGEST_S3_SECRET_KEY"] ?? "")",
         "region": "\(env["LAKEINGEST_S3_REGION"] ?? "us-east-1")", "endpoint": "\(env["LAKEINGEST_S3_ENDPOINT"] ?? "")", "pathStyle": true}
        """
    }
}

/// The segments a local push left in a folder, read back with the segment reader.
struct PushedSegments {
    var names: [String]
    /// Every row of every segment, by the `id` column.
    var rows: [Int64: [String: Value]]
    var rowCount: Int
    var duplicateIds: [Int64]

    init(folder: String) throws {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".tar.gz") || $0.hasSuffix(".tar.zst") }.sorted()
        names = files.map { String($0.prefix(while: { $0 != "." })) }
        rows = [:]
        rowCount = 0
        duplicateIds = []
        for file in files {
            let reader = try SegmentReader(tarball: [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))), name: file)
            #expect(reader.crcMatches == true, "\(file): creation.meta CRC")
            let columns = try reader.columns()
            for doc in 0..<reader.metadata.totalDocs {
                var row: [String: Value] = [:]
                for (name, values) in columns { row[name] = values[doc] }
                guard case .int(let id)? = row["id"] else { continue }
                if rows[id] != nil { duplicateIds.append(id) }
                rows[id] = row
                rowCount += 1
            }
        }
    }
}

/// Whether a segment value equals an expected value from pyiceberg's scan (Pinot's rules applied):
/// TestSupport's `matches`, with a missing value as null and a boolean also as 0 or 1.
func pinotEquals(_ value: Value, _ expected: Any?) -> Bool {
    guard let expected, !(expected is NSNull) else { return value == .null }
    if case .boolean(let b) = value, let number = expected as? NSNumber, number.int64Value == (b ? 1 : 0) { return true }
    return matches(value, expected)
}

/// Compares pushed rows with pyiceberg's, column by column; returns the differences (at most 12).
func differences(_ pushed: PushedSegments, _ expected: [Int64: [String: Any]]) -> [String] {
    var problems: [String] = []
    if !pushed.duplicateIds.isEmpty { problems.append("duplicated ids: \(pushed.duplicateIds.prefix(10))") }
    let missing = Set(expected.keys).subtracting(pushed.rows.keys)
    let extra = Set(pushed.rows.keys).subtracting(expected.keys)
    if !missing.isEmpty { problems.append("\(missing.count) rows missing, e.g. \(missing.sorted().prefix(5))") }
    if !extra.isEmpty { problems.append("\(extra.count) rows not in the table, e.g. \(extra.sorted().prefix(5))") }
    for id in expected.keys.sorted() where problems.count < 12 {
        guard let row = pushed.rows[id], let want = expected[id] else { continue }
        for (column, value) in want.sorted(by: { $0.key < $1.key }) {
            let got = row[column] ?? .null
            if !pinotEquals(got, value) { problems.append("id \(id) \(column): \(got.jsonText) != \(String(describing: value))") }
        }
    }
    return problems
}

/// The `order_id`s of a segment tarball.
enum SegmentReaderHelper {
    static func read(_ path: String) throws -> [Int64] {
        let reader = try SegmentReader(tarball: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), name: path)
        return try reader.columns()["order_id"]?.compactMap { value -> Int64? in
            if case .int(let id) = value { return id }
            return nil
        } ?? []
    }
}
