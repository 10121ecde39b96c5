import Columnar
import Parquet
import Synchronization
import Testing

/// Counts the reads a reader makes, to check the sans-I/O request plan.
final class CountingReader: RandomAccessReader {
    let inner: InMemoryReader
    let reads = Mutex<[Range<Int>]>([])
    init(_ bytes: [UInt8]) { inner = InMemoryReader(bytes) }
    func size() async throws -> Int { inner.bytes.count }
    func read(_ range: Range<Int>) async throws -> [UInt8] {
        reads.withLock { $0.append(range) }
        return try await inner.read(range)
    }
}

@Suite("reader I/O plan")
struct ReaderIOTests {
    @Test("the footer costs one read, or two when it is larger than the speculative read")
    func footerReads() async throws {
        let bytes = try Fixtures.readBytes(Fixtures.writerMatrix + "/pyarrow-snappy-dict-v1.parquet")
        for readSize in [64 * 1024, 64] {
            let reader = CountingReader(bytes)
            _ = try await ParquetFileReader(source: reader, name: "f", options: ReadOptions(footerReadSize: readSize))
            let reads = reader.reads.withLock { $0 }
            #expect(reads.count == (readSize == 64 ? 2 : 1), "reads: \(reads)")
            #expect(reads.allSatisfy { $0.upperBound == bytes.count })
        }
    }

    @Test("a row group reads one range per projected leaf column chunk")
    func projection() async throws {
        let bytes = try Fixtures.readBytes(Fixtures.writerMatrix + "/pyarrow-snappy-dict-v1.parquet")
        let reader = CountingReader(bytes)
        let file = try await ParquetFileReader(source: reader, name: "f")
        let before = reader.reads.withLock { $0.count }
        let fields = try file.fieldIndices(["i32", "str_low"])
        let batch = try await file.readRowGroup(0, fields: fields)
        let reads = reader.reads.withLock { Array($0[before...]) }
        #expect(reads.count == 2)
        #expect(batch.fields.map(\.name) == ["i32", "str_low"])
        let chunks = try file.rowGroupDecoder(0, fields: fields).chunkRanges().map(\.range)
        #expect(Set(reads) == Set(chunks))
    }

    @Test("an unknown column is a columnNotFound error")
    func unknownColumn() async throws {
        let file = try await ParquetFileReader(source: try LocalFileReader(path: Fixtures.writerMatrix + "/polars-snappy.parquet"), name: "p")
        #expect(throws: ParquetError.self) { try file.fieldIndices(["nope"]) }
    }

    @Test("dictionary-encoded chunks stay dictionary-encoded in the batch")
    func dictionaryFastPath() async throws {
        let file = try await ParquetFileReader(source: try LocalFileReader(path: Fixtures.writerMatrix + "/pyarrow-snappy-dict-v1.parquet"), name: "p")
        let batch = try await file.readRowGroup(0, fields: try file.fieldIndices(["str_low"]))
        guard case .dictionary(let values, let indices) = batch.columns[0].storage else {
            Issue.record("str_low is not dictionary-encoded: \(batch.columns[0].storage)")
            return
        }
        #expect(indices.count == batch.rowCount)
        #expect(values.count < 20)
    }
}
