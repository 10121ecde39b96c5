import Codecs
import Parquet
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Flipping and truncating bytes of valid files: every outcome is a value or a ParquetError —
/// no crash, no hang, no unbounded allocation (limits are tight here on purpose).
@Suite("mutation fuzzing")
struct FuzzTests {
    static let seeds: [String] = [
        "pyarrow-snappy-dict-v1.parquet", "pyarrow-zstd-plain-v2.parquet", "pyarrow-gzip-dict-v2.parquet",
        "pyarrow-snappy-encodings-v1.parquet", "pyarrow-zstd-encodings-v2.parquet", "pyarrow-uncompressed-dict-v1.parquet", "pyarrow-snappy-dict-v1-checksum.parquet",
        "duckdb-zstd-v2.parquet", "polars-snappy.parquet",
    ]

    /// 500 per seed file in the suite; set FUZZ_ITERATIONS for a longer run.
    static let iterations = getenv("FUZZ_ITERATIONS").flatMap { Int(String(cString: $0)) } ?? 500

    @Test("mutated files never crash", .timeLimit(.minutes(5)), arguments: seeds)
    func mutations(seed file: String) async throws {
        let original = try Fixtures.readBytes(Fixtures.writerMatrix + "/" + file)
        let options = ReadOptions(decompressionLimits: DecompressionLimits(maxOutputBytes: 8 << 20), maxValuesPerColumnChunk: 1 << 16)
        let seed = UInt64(file.utf8.reduce(5381) { ($0 << 5) &+ $0 &+ UInt64($1) })
        var generator = SeededGenerator(seed: seed)
        var outcomes = (decoded: 0, failed: 0)
        for iteration in 0..<Self.iterations {
            var bytes = original
            switch UInt8.random(in: 0...3, using: &generator) {
            case 0:
                bytes.removeLast(Int.random(in: 1..<bytes.count, using: &generator))
            case 1:
                // Damage the footer, where every offset and size lives.
                let footer = max(4, bytes.count - 600)
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    bytes[Int.random(in: footer..<bytes.count - 8, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                }
            default:
                for _ in 0..<Int.random(in: 1...8, using: &generator) {
                    bytes[Int.random(in: 4..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            do {
                _ = try await DecodedFile.read(InMemoryReader(bytes), name: file, options: options)
                outcomes.decoded += 1
            } catch let error as ParquetError {
                outcomes.failed += 1
                #expect(error.file == file, "iteration \(iteration), seed \(seed): \(error)")
            } catch {
                Issue.record("iteration \(iteration), seed \(seed): untyped error \(error)")
            }
        }
        #expect(outcomes.failed > 0, "no mutation was detected in \(file)")
    }
}
