import Columnar
import Parquet
import Testing
import TestSupport

/// Every file of the shared parquet-testing corpus decodes to exactly what pyarrow reads, or
/// fails with the error its expectation names (Tests/Fixtures/make_corpus_expectations.py).
@Suite("parquet-testing corpus")
struct CorpusConformanceTests {
    static let corpusPresent = Fixtures.exists(Fixtures.corpusRoot)
    static let corpusFiles: [String] = {
        guard corpusPresent else {
            print("skipped: corpus not found at \(Fixtures.corpusRoot); corpus conformance tests did not run")
            return []
        }
        return Fixtures.files(under: Fixtures.corpusRoot, suffix: ".parquet")
    }()

    @Test("the corpus is present (under CI=true its absence fails) and every file has an expectation")
    func everyFileHasAnExpectation() {
        guard Self.corpusPresent else {
            RequiredInput.check(false, "CI=true and the corpus is absent at \(Fixtures.corpusRoot): the corpus tests ran zero cases")
            return
        }
        #expect(Self.corpusFiles.count > 50)
        for file in Self.corpusFiles {
            #expect(Fixtures.exists(Fixtures.corpusExpectations + "/" + file + ".json"), "no expectation for \(file)")
        }
    }

    @Test("decodes like pyarrow", arguments: corpusFiles)
    func decodesLikePyarrow(file: String) async throws {
        let expectationPath = Fixtures.corpusExpectations + "/" + file + ".json"
        try #require(Fixtures.exists(expectationPath), "no expectation for \(file): run Tests/Fixtures/make_corpus_expectations.py")
        let expected = try JSONValue.parse(try Fixtures.readText(expectationPath))
        let path = Fixtures.corpusRoot + "/" + file
        if let code = expected["error"]?.stringValue {
            do {
                _ = try await DecodedFile.read(try LocalFileReader(path: path), name: path)
                Issue.record("\(file) decoded, expected error \(code)")
            } catch let error as ParquetError {
                #expect(error.code.description == code, "\(file): \(error)")
                #expect(error.file == path, "the error names the file")
            }
            return
        }
        let decoded = try await DecodedFile.read(try LocalFileReader(path: path), name: path)
        let problems = differences(decoded, expected: expected)
        #expect(problems.isEmpty, Comment(rawValue: "\(file):\n" + problems.joined(separator: "\n")))
    }
}

/// Files written by pyarrow, DuckDB and polars over every codec, dictionary on/off, page v1/v2,
/// small pages, several row groups, nullable columns and every type in the mapping
/// (Tests/Fixtures/make_writer_matrix.py).
@Suite("writer matrix")
struct WriterMatrixTests {
    static let files = Fixtures.files(under: Fixtures.writerMatrix, suffix: ".parquet")

    @Test("the matrix covers four writers")
    func matrixIsPresent() {
        #expect(Self.files.filter { $0.hasPrefix("fastparquet-") }.count >= 10)
        #expect(Self.files.filter { $0.hasPrefix("pyarrow-") }.count >= 20)
        #expect(Self.files.contains { $0.hasPrefix("duckdb-") })
        #expect(Self.files.contains { $0.hasPrefix("polars-") })
    }

    @Test("decodes like pyarrow", arguments: files)
    func decodesLikePyarrow(file: String) async throws {
        let path = Fixtures.writerMatrix + "/" + file
        let expected = try JSONValue.parse(try Fixtures.readText(path + ".json"))
        let decoded = try await DecodedFile.read(try LocalFileReader(path: path), name: path)
        let problems = differences(decoded, expected: expected)
        #expect(problems.isEmpty, Comment(rawValue: "\(file):\n" + problems.joined(separator: "\n")))
    }
}
