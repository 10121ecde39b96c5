import Columnar
import Foundation
import Codecs
@testable import Pinot
import Testing
import TestSupport

/// The segment reader against segments Pinot itself wrote (../shared/corpus/pinot-segments):
/// every row equals what Pinot's own reader returned.
@Suite("Pinot segment reader")
struct SegmentReaderTests {
    static let corpus = PinotSegmentCorpus.root
    static let present = PinotSegmentCorpus.present

    /// (tarball, expected rows) pairs: the real segments and the golden generated ones.
    static let cases: [String] = {
        guard present else {
            print("skipped: \(corpus) absent; Pinot segment reader tests did not run")
            return []
        }
        var result = ["paddingNull", "paddingOld", "paddingPercent", "legacyRawInverted_OFFLINE_0", "legacyRawInverted_v3_OFFLINE_0"]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: corpus + "/generated")) ?? [] where !name.contains(".") {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: corpus + "/generated/" + name)) ?? [] where file.hasSuffix(".tar.gz") {
                result.append("generated/\(name)/\(file.dropLast(".tar.gz".count))")
            }
        }
        return result.sorted()
    }()

    static func expectedRows(_ name: String) throws -> [[String: Any]] {
        var path = corpus + "/" + name + ".expected.jsonl"
        if name.hasPrefix("generated/") {
            let folder = corpus + "/" + name.split(separator: "/").dropLast().joined(separator: "/")
            path = folder + "/expected.jsonl"
            if !FileManager.default.fileExists(atPath: path) {
                let gz = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/input.jsonl.gz")))
                let plain = try gunzip(gz)
                return try lines(plain)
            }
        }
        return try lines([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        try bytes.withUnsafeBytes { try Codecs.Decompressor.decompress(.gzip, $0, limits: .init(maxOutputBytes: 1 << 30)) }
    }

    static func lines(_ bytes: [UInt8]) throws -> [[String: Any]] { try JSONFixtures.lines(bytes) }

    @Test("the Pinot segment corpus is present (under CI=true its absence fails)")
    func corpusPresent() {
        guard Self.present else {
            RequiredInput.check(false, "CI=true and \(Self.corpus) is absent: the golden and reader tests ran zero cases")
            return
        }
        #expect(Self.cases.count >= 10)
    }

    @Test("reads each segment to the rows Pinot's reader returned", arguments: cases)
    func rows(name: String) throws {
        let tarball = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/" + name + ".tar.gz")))
        let reader = try SegmentReader(tarball: tarball, name: name)
        let expected = try Self.expectedRows(name)
        #expect(reader.metadata.totalDocs == expected.count)
        let columns = try reader.columns()
        var problems: [String] = []
        for (doc, row) in expected.enumerated() {
            for (column, want) in row {
                guard let values = columns[column] else { problems.append("no column \(column)"); continue }
                if !matches(values[doc], want) { problems.append("doc \(doc) \(column): \(values[doc].jsonText) != \(want)") }
                if problems.count > 8 { break }
            }
            if problems.count > 8 { break }
        }
        #expect(problems.isEmpty, Comment(rawValue: "\(name):\n" + problems.joined(separator: "\n")))
    }

    @Test("creation.meta: the CRC matches, except the converted legacy segment's", .enabled(if: present))
    func creationMeta() throws {
        for (name, matches) in [("legacyRawInverted_OFFLINE_0", true), ("legacyRawInverted_v3_OFFLINE_0", false), ("paddingNull", true)] {
            let tarball = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/" + name + ".tar.gz")))
            #expect(try SegmentReader(tarball: tarball, name: name).crcMatches == matches, "\(name)")
        }
    }

    @Test("corrupted copies are refused with a named error", .enabled(if: present))
    func corrupted() throws {
        let path = Self.corpus + "/generated/all-types-sv/all_types_sv_0.tar.gz"
        let archive = try TarArchive.read([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        var files: [String: [UInt8]] = [:]
        for entry in archive.entries where !entry.isDirectory {
            files[entry.path.split(separator: "/").dropFirst().joined(separator: "/")] = entry.contents
        }
        var badMagic = files
        badMagic["v3/columns.psf"]![0] ^= 0xFF
        let first = #expect(throws: SegmentError.self) { _ = try SegmentReader(files: badMagic, name: "bad-magic").columns() }
        #expect(first?.message.contains("magic") == true)
        #expect(first?.segment == "bad-magic")
        var truncated = files
        truncated["v3/columns.psf"]!.removeLast(100)
        let second = #expect(throws: SegmentError.self) { _ = try SegmentReader(files: truncated, name: "truncated").columns() }
        #expect(second?.code == .corrupt)
        var noDocs = files
        noDocs["v3/metadata.properties"] = Array(String(decoding: files["v3/metadata.properties"]!, as: UTF8.self)
            .replacingOccurrences(of: "segment.total.docs = 500", with: "segment.total.docs = 501").utf8)
        let third = #expect(throws: SegmentError.self) { _ = try SegmentReader(files: noDocs, name: "wrong-docs").columns() }
        #expect(third?.column != nil, "names the column")
    }

    @Test("bare raw forward index files (version 2), fixed and var-byte", .enabled(if: present))
    func rawForwardIndexes() throws {
        for name in ["fixedByteCompressed.v2", "fixedByteRaw.v2"] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/raw-forward-index/" + name)))
            let column = ColumnMetadata(name: "d", columnType: "METRIC", dataType: .double, singleValue: true, cardinality: 2000,
                                        totalDocs: 2000, hasDictionary: false, isSorted: false, bitsPerElement: 11, lengthOfEachEntry: 0,
                                        maxNumberOfMultiValues: 0, totalNumberOfEntries: 2000)
            let values = try RawForwardIndex(column: column, totalDocs: 2000, context: name).read(bytes[...])
            #expect(values.enumerated().allSatisfy { $1 == .double(Double($0) + 100.2356) }, "\(name)")
        }
        let cycle = ["abcdefghijk", "12456887", "pqrstuv", "500"]
        for name in ["varByteStringsCompressed.v2", "varByteStringsRaw.v2"] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/raw-forward-index/" + name)))
            let column = ColumnMetadata(name: "s", columnType: "DIMENSION", dataType: .string, singleValue: true, cardinality: 4,
                                        totalDocs: 1000, hasDictionary: false, isSorted: false, bitsPerElement: 2, lengthOfEachEntry: 0,
                                        maxNumberOfMultiValues: 0, totalNumberOfEntries: 1000)
            let values = try RawForwardIndex(column: column, totalDocs: 1000, context: name).read(bytes[...])
            #expect(values.enumerated().allSatisfy { $1 == .string(cycle[$0 % 4]) }, "\(name)")
        }
    }
}

extension SegmentReaderTests {
    @Test("mutated segments never crash the reader", .enabled(if: present))
    func mutations() throws {
        let path = Self.corpus + "/generated/multi-value/multi_value_0.tar.gz"
        let archive = try TarArchive.read([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        var files: [String: [UInt8]] = [:]
        for entry in archive.entries where !entry.isDirectory {
            files[entry.path.split(separator: "/").dropFirst().joined(separator: "/")] = entry.contents
        }
        var state: UInt64 = 0x5DEECE66D
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        var failures = 0
        let iterations = ProcessInfo.processInfo.environment["FUZZ_ITERATIONS"].flatMap(Int.init) ?? 300
        for _ in 0..<iterations {
            var mutated = files
            let target = ["v3/columns.psf", "v3/index_map", "v3/metadata.properties"][next() % 3]
            var bytes = mutated[target]!
            if next() % 3 == 0 {
                bytes.removeLast(next() % bytes.count)
            } else {
                for _ in 0..<(1 + next() % 6) { bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next()) }
            }
            mutated[target] = bytes
            do {
                _ = try SegmentReader(files: mutated, name: "m").columns()
            } catch {
                failures += 1
            }
        }
        #expect(failures > 0)
    }
}
