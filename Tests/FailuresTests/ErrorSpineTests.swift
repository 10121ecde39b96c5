import Codecs
import Engine
import Failures
import ObjectStore
import Parquet
import Testing

@Suite("error spine")
struct ErrorSpineTests {
    @Test("a context renders its places in one order, and fills gaps from another")
    func context() {
        let context = ErrorContext(file: "s3://b/k.parquet", rowGroup: 2, column: "a.b", offset: 9, segment: "seg_0", endpoint: "http://h:1")
        #expect(context.description == "(file s3://b/k.parquet, row group 2, column a.b, offset 9, segment seg_0, endpoint http://h:1)")
        #expect(ErrorContext().description == "" && ErrorContext().isEmpty)
        #expect(ErrorContext(column: "c").suffix(adding: ["HTTP 401"]) == " (column c, HTTP 401)")
        let filled = ErrorContext(file: "outer").filled(from: ErrorContext(file: "inner", rowGroup: 3))
        #expect(filled == ErrorContext(file: "outer", rowGroup: 3))
    }

    @Test("the cause chain prints one cause a line, innermost last")
    func chain() {
        let page = ParquetError(.corruptPage, "page header cut short", file: "d.parquet", rowGroup: 1, column: "x", offset: 40)
        let engine = EngineError(.corruptFile, "cannot decode row group 1", file: "d.parquet", rowGroup: 1, underlying: page)
        #expect(engine.detailedDescription == """
            corruptFile: cannot decode row group 1 (file d.parquet, row group 1)
              caused by: corruptPage: page header cut short (file d.parquet, row group 1, column x, offset 40)
            """)
        struct Plain: Error, Sendable, CustomStringConvertible { var description: String { "socket closed" } }
        let store = EngineError(.io, "reading failed", underlying: Plain())
        #expect(store.detailedDescription == "io: reading failed\n  caused by: socket closed")
    }

    @Test("categories come from the codes, and a wrapping error inherits its cause's when it says corruptFile")
    func categories() {
        #expect(FailureCategory.of(ObjectStoreError(.accessDenied, "denied")) == .credentials)
        #expect(FailureCategory.of(ObjectStoreError(.noSuchKey, "missing")) == .notFound)
        #expect(FailureCategory.of(ParquetError(.unsupportedCodec, "LZO")) == .unsupportedFeature)
        #expect(FailureCategory.of(ParquetError(.corruptPage, "bad")) == .corruptFile)
        #expect(FailureCategory.of(CancellationError()) == .interrupted)
        struct Other: Error {}
        #expect(FailureCategory.of(Other()) == .internal)
        let wrapped = EngineError(.corruptFile, "cannot open the data file", underlying: ObjectStoreError(.noSuchKey, "missing"))
        #expect(wrapped.category == .notFound)
        #expect(Set(FailureCategory.allCases.map(\.rawValue)) == [
            "credentials", "notFound", "corruptFile", "unsupportedFeature", "schemaMismatch", "invalidValue", "pushRejected",
            "nonAppendSnapshot", "configuration", "taskLocked", "interrupted", "storage", "io", "state", "internal",
        ], "the status file's strings")
    }

    @Test("retryable as the retry policy decides: throttling, 5xx and lost connections, not refusals")
    func retryable() {
        #expect(ObjectStoreError(.throttled, "slow down").isRetryable)
        #expect(ObjectStoreError(.serverError, "503").isRetryable)
        #expect(!ObjectStoreError(.accessDenied, "no").isRetryable)
        #expect(ParquetError(.io, "read failed", underlying: ObjectStoreError(.timeout, "t")).isRetryable)
        #expect(!ParquetError(.corruptPage, "bad").isRetryable)
    }
}
