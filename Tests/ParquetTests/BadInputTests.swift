import Codecs
import Columnar
import Parquet
import Testing
import TestSupport

/// Broken input gives a typed error that names the file and the place, never a crash.
@Suite("bad input")
struct BadInputTests {
    static let validPath = Fixtures.writerMatrix + "/pyarrow-snappy-dict-v1.parquet"

    func readError(_ bytes: [UInt8], name: String = "crafted.parquet", options: ReadOptions = ReadOptions()) async -> ParquetError? {
        do {
            _ = try await DecodedFile.read(InMemoryReader(bytes), name: name, options: options)
            return nil
        } catch let error as ParquetError {
            return error
        } catch {
            Issue.record("untyped error \(error)")
            return nil
        }
    }

    @Test("a crafted valid file reads back (the crafting itself is sound)")
    func craftedBaseline() async throws {
        let file = craftedInt32File(pages: [CraftedPage(kind: .dataV1, numValues: 3, encoding: 0, body: plainInt32([7, -1, 42]))], rows: 3)
        let decoded = try await DecodedFile.read(InMemoryReader(file), name: "crafted.parquet")
        #expect(decoded.rows == [[.int(7)], [.int(-1)], [.int(42)]])
    }

    @Test("truncated files", arguments: [0, 3, 4, 11, 100, 1000, -1, -8, -9, -200])
    func truncated(cut: Int) async throws {
        let bytes = try Fixtures.readBytes(Self.validPath)
        let kept = cut >= 0 ? Array(bytes.prefix(cut)) : Array(bytes.dropLast(-cut))
        let error = await readError(kept, name: "cut.parquet")
        #expect(error != nil)
        #expect([.truncated, .notParquet, .corruptMetadata].contains(error?.code), "\(String(describing: error))")
        #expect(error?.file == "cut.parquet")
    }

    @Test("wrong magic at the start or the end")
    func wrongMagic() async throws {
        var bytes = try Fixtures.readBytes(Self.validPath)
        bytes[0] = UInt8(ascii: "X")
        // The leading magic is checked when the footer read reaches the start of the file.
        #expect(await readError(bytes, options: ReadOptions(footerReadSize: bytes.count))?.code == .notParquet)
        bytes = try Fixtures.readBytes(Self.validPath)
        bytes[bytes.count - 1] = UInt8(ascii: "X")
        let error = await readError(bytes)
        #expect(error?.code == .notParquet)
        #expect(error?.offset == bytes.count - 4)
    }

    @Test("a footer length that runs past the start of the file")
    func footerLengthPastEnd() async throws {
        var bytes = try Fixtures.readBytes(Self.validPath)
        let n = bytes.count
        bytes[n - 8] = 0xff; bytes[n - 7] = 0xff; bytes[n - 6] = 0xff; bytes[n - 5] = 0x0f
        let error = await readError(bytes)
        #expect(error?.code == .corruptMetadata)
        #expect(error?.message.contains("footer length") == true)
    }

    @Test("garbled Thrift in the footer")
    func garbledFooter() async throws {
        let bytes = try Fixtures.readBytes(Self.validPath)
        let n = bytes.count
        let length = Int(bytes[n - 8]) | Int(bytes[n - 7]) << 8 | Int(bytes[n - 6]) << 16 | Int(bytes[n - 5]) << 24
        var generator = SeededGenerator(seed: 2024)
        for iteration in 0..<50 {
            var garbled = bytes
            for i in (n - 8 - length)..<(n - 8) where UInt8.random(in: 0...3, using: &generator) == 0 {
                garbled[i] = UInt8.random(in: 0...255, using: &generator)
            }
            // Either an error or (rarely) a file that still decodes; never a crash.
            if let error = await readError(garbled) {
                let seed = "iteration \(iteration), \(generator)"
                #expect(error.file == "crafted.parquet", "\(seed)")
                // A Thrift error gives its offset in the file (inside the footer), and no
                // Swift type names.
                if error.message.hasPrefix("Thrift") {
                    #expect((n - 8 - length..<n - 8).contains(error.offset ?? -1), "\(seed): \(error)")
                }
                #expect(!error.description.contains("Parquet.") && !error.description.contains("FieldType"), "\(seed): \(error)")
            }
        }
    }

    @Test("a page whose compressed size runs past the column chunk")
    func pageSizeLies() async throws {
        let page = CraftedPage(kind: .dataV1, numValues: 3, encoding: 0, body: plainInt32([1, 2, 3]), declaredCompressed: 5000)
        let error = await readError(craftedInt32File(pages: [page], rows: 3))
        #expect(error?.code == .corruptPage)
        #expect(error?.column == "v")
        #expect(error?.rowGroup == 0)
        #expect(error?.offset == 4, "the page's offset in the file")
        #expect(error?.file == "crafted.parquet")
    }

    @Test("a page with fewer values than it declares")
    func pageValueCountLies() async throws {
        let page = CraftedPage(kind: .dataV1, numValues: 5, encoding: 0, body: plainInt32([1, 2]))
        let error = await readError(craftedInt32File(pages: [page], rows: 5))
        #expect(error?.code == .corruptPage)
        #expect(error?.column == "v")
    }

    @Test("an uncompressed size that does not match the snappy stream")
    func uncompressedSizeLies() async throws {
        let plain = plainInt32([1, 2, 3, 4])
        let compressed = try plain.withUnsafeBytes { try Compressor.compress(.snappy, $0) }
        let page = CraftedPage(kind: .dataV1, numValues: 4, encoding: 0, body: compressed, declaredUncompressed: 20)
        let error = await readError(craftedInt32File(pages: [page], rows: 4, codec: 1))
        #expect(error?.code == .corruptPage)
        #expect(error?.message.contains("SNAPPY") == true)
    }

    @Test("corrupt compressed data", arguments: [Int32(1), 2, 6])
    func corruptCompressed(codec: Int32) async throws {
        let implementation: CompressionCodec = codec == 1 ? .snappy : codec == 2 ? .gzip : .zstd
        let plain = plainInt32(Array(0..<100))
        var compressed = try plain.withUnsafeBytes { try Compressor.compress(implementation, $0) }
        for i in stride(from: 2, to: compressed.count, by: 3) { compressed[i] ^= 0x5a }
        let page = CraftedPage(kind: .dataV1, numValues: 100, encoding: 0, body: compressed, declaredUncompressed: Int32(plain.count))
        let error = await readError(craftedInt32File(pages: [page], rows: 100, codec: codec))
        #expect(error?.code == .corruptPage, "\(String(describing: error))")
        #expect(error?.column == "v")
    }

    @Test("a dictionary index out of range")
    func dictionaryIndexOutOfRange() async throws {
        let dictionary = CraftedPage(kind: .dictionary, numValues: 2, encoding: 0, body: plainInt32([10, 20]))
        // bit width 2, one RLE run of 3 values equal to 3 (the dictionary has 2 entries).
        let data = CraftedPage(kind: .dataV1, numValues: 3, encoding: 8, body: [2, 3 << 1, 3])
        let error = await readError(craftedInt32File(pages: [dictionary, data], rows: 3))
        #expect(error?.code == .corruptPage)
        #expect(error?.message.contains("dictionary index 3") == true)
        #expect(error?.column == "v")
    }

    @Test("the same dictionary with valid indices decodes")
    func dictionaryIndexInRange() async throws {
        let dictionary = CraftedPage(kind: .dictionary, numValues: 2, encoding: 0, body: plainInt32([10, 20]))
        let data = CraftedPage(kind: .dataV1, numValues: 3, encoding: 8, body: [1, 3 << 1, 1])
        let decoded = try await DecodedFile.read(InMemoryReader(craftedInt32File(pages: [dictionary, data], rows: 3)), name: "ok")
        #expect(decoded.rows == [[.int(20)], [.int(20)], [.int(20)]])
    }

    @Test("a wrong page CRC is rejected; a right one passes")
    func pageChecksum() async throws {
        let body = plainInt32([1, 2, 3])
        let right = Int32(bitPattern: body.withUnsafeBytes { CRC32.checksum($0) })
        let good = CraftedPage(kind: .dataV1, numValues: 3, encoding: 0, body: body, crc: right)
        #expect(try await DecodedFile.read(InMemoryReader(craftedInt32File(pages: [good], rows: 3)), name: "ok").rows.count == 3)
        let bad = CraftedPage(kind: .dataV1, numValues: 3, encoding: 0, body: body, crc: right ^ 1)
        let error = await readError(craftedInt32File(pages: [bad], rows: 3))
        #expect(error?.code == .checksumMismatch)
        #expect(error?.offset == 4)
        #expect(error?.column == "v")
    }

    @Test("a chunk declaring more values than the limit is refused before allocating")
    func valueCountLimit() async throws {
        let page = CraftedPage(kind: .dataV1, numValues: 3, encoding: 0, body: plainInt32([1, 2, 3]))
        let file = craftedInt32File(pages: [page], rows: 3, numValues: 1 << 40)
        let error = await readError(file, options: ReadOptions(maxValuesPerColumnChunk: 1 << 20))
        #expect(error?.code == .corruptMetadata)
    }

    @Test("an unsupported codec names the codec and the column")
    func unsupportedCodec() async throws {
        let page = CraftedPage(kind: .dataV1, numValues: 1, encoding: 0, body: plainInt32([1]))
        let error = await readError(craftedInt32File(pages: [page], rows: 1, codec: 4))
        #expect(error?.code == .unsupportedCodec)
        #expect(error?.message == "unsupported codec BROTLI in column v")
        #expect(error?.file == "crafted.parquet")
    }
}
