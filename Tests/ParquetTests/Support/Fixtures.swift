import Columnar
import Parquet
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The Parquet inputs: the shared parquet-testing corpus, its expectations and the writer matrix
/// (paths from TestSupport's ``Repository``).
enum Fixtures {
    static var corpusRoot: String { Repository.sharedCorpus + "/parquet-testing" }
    static var corpusExpectations: String { Repository.fixtures + "/parquet-testing-expected" }
    static var writerMatrix: String { Repository.fixtures + "/writer-matrix" }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Regular files below `root` whose names end in `suffix`, as paths relative to `root`, sorted.
    static func files(under root: String, suffix: String) -> [String] {
        var result: [String] = []
        func walk(_ relative: String) {
            let path = relative.isEmpty ? root : root + "/" + relative
            guard let dir = opendir(path) else { return }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
                if name == "." || name == ".." { continue }
                let child = relative.isEmpty ? name : relative + "/" + name
                if entry.pointee.d_type == UInt8(DT_DIR) { walk(child) } else if name.hasSuffix(suffix) { result.append(child) }
            }
        }
        walk("")
        return result.sorted()
    }

    static func readText(_ path: String) throws -> String {
        let reader = try LocalFileReader(path: path)
        return String(decoding: try reader.readSync(0..<(try reader.sizeSync())), as: UTF8.self)
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        let reader = try LocalFileReader(path: path)
        return try reader.readSync(0..<(try reader.sizeSync()))
    }
}

extension LocalFileReader {
    func sizeSync() throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw ParquetError(.io, "cannot stat", file: path) }
        return Int(info.st_size)
    }
}

/// Every row of a Parquet file read through the public reader, as values.
struct DecodedFile {
    var fields: [Field]
    var rows: [[Value]]

    static func read<S: RandomAccessReader>(_ source: S, name: String, options: ReadOptions = ReadOptions()) async throws -> DecodedFile {
        let reader = try await ParquetFileReader(source: source, name: name, options: options)
        let fields = try reader.fieldIndices(nil)
        var rows: [[Value]] = []
        for group in reader.metadata.rowGroups.indices {
            let batch = try await reader.readRowGroup(group, fields: fields)
            for row in 0..<batch.rowCount { rows.append(batch.columns.map { $0.value(at: row) }) }
        }
        return DecodedFile(fields: try reader.outputFields(fields), rows: rows)
    }
}

/// Compares a decoded file with an expectation JSON written by Tests/Fixtures/parquet_expect.py;
/// returns a description of each difference (empty when they agree).
func differences(_ file: DecodedFile, expected: JSONValue, limit: Int = 10) -> [String] {
    var problems: [String] = []
    guard let columns = expected["columns"]?.arrayValue, let rows = expected["rows"]?.arrayValue else {
        return ["expectation has no columns/rows"]
    }
    guard columns.count == file.fields.count else {
        return ["\(file.fields.count) columns, expected \(columns.count)"]
    }
    for (field, column) in zip(file.fields, columns) {
        if column["name"]?.stringValue != field.name { problems.append("column \(field.name): expected name \(column["name"]!)") }
        if column["pinotType"]?.stringValue != field.type.pinotTypeName {
            problems.append("column \(field.name): Pinot type \(field.type.pinotTypeName), expected \(column["pinotType"]!)")
        }
        if column["multiValue"]?.boolValue != field.type.isMultiValue {
            problems.append("column \(field.name): multi-value \(field.type.isMultiValue), expected \(column["multiValue"]!)")
        }
    }
    guard rows.count == file.rows.count else {
        return problems + ["\(file.rows.count) rows, expected \(rows.count)"]
    }
    for (index, (actualRow, expectedRow)) in zip(file.rows, rows).enumerated() {
        guard let expectedCells = expectedRow.arrayValue else { return problems + ["row \(index) is not an array"] }
        for (column, (actual, expectedCell)) in zip(actualRow, expectedCells).enumerated() {
            if !cellMatches(actual, expectedCell, type: file.fields[column].type) {
                problems.append("row \(index) column \(file.fields[column].name): got \(actual.jsonText), expected \(expectedCell)")
                if problems.count >= limit { return problems }
            }
        }
    }
    return problems
}

func cellMatches(_ actual: Value, _ expected: JSONValue, type: DataType) -> Bool {
    if type == .json, case .json(let text) = actual, case .string(let expectedText) = expected {
        guard let a = try? JSONValue.parse(text), let b = try? JSONValue.parse(expectedText) else { return text == expectedText }
        return a == b
    }
    guard let rendered = try? JSONValue.parse(actual.jsonText) else { return false }
    return rendered == expected
}
