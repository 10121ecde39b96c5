import Avro
import Codecs
import Foundation
@testable import Iceberg
import ObjectStore
import Parquet
import Pinot
import Testing
import TestSupport

/// Every input of the committed fuzz corpora (the seeds in Fuzz/Corpus, and in Fuzz/Regressions
/// what the long runs kept for new coverage) through the same entry points as the fuzz targets,
/// in the normal suite: none may trap, and the seeds written by other tools read to their known
/// contents.
@Suite("fuzz corpora replayed")
struct FuzzCorpusReplayTests {
    static let root = Repository.root + "/Fuzz/Corpus"

    /// The seeds in `Fuzz/Corpus/<target>`, then the minimized corpus of the long runs in
    /// `Fuzz/Regressions/<target>.tar.gz` (libFuzzer's `-merge=1` output).
    static func inputs(_ target: String) -> [(name: String, bytes: [UInt8])] {
        let folder = root + "/" + target
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        var inputs = names.compactMap { name in FileManager.default.contents(atPath: folder + "/" + name).map { (name, [UInt8]($0)) } }
        if let tarball = FileManager.default.contents(atPath: root + "/../Regressions/" + target + ".tar.gz") {
            do {
                for entry in try TarArchive.read([UInt8](tarball)).entries where !entry.isDirectory {
                    inputs.append(("regression " + entry.path, entry.contents))
                }
            } catch {
                Issue.record("\(target).tar.gz does not read: \(error)")
            }
        }
        return inputs
    }

    @Test("every target has a corpus")
    func present() {
        for target in ["fuzz-thrift-footer", "fuzz-parquet-file", "fuzz-avro-container", "fuzz-iceberg-metadata",
                       "fuzz-iceberg-manifest", "fuzz-segment-reader", "fuzz-s3-listing", "fuzz-catalog-answers"] {
            #expect(!Self.inputs(target).isEmpty, "\(target)")
        }
    }

    @Test("Parquet footers and whole files")
    func parquet() {
        for (name, bytes) in Self.inputs("fuzz-thrift-footer") {
            let metadata = bytes.withUnsafeBytes { try? FileMetaData.decode($0, fileOffset: 4) }
            if name.hasPrefix("pyarrow-") { #expect(metadata?.numRows == 5, "\(name)") }
        }
        for (name, file) in Self.inputs("fuzz-parquet-file") {
            var rows = 0
            let step = file.withUnsafeBytes { try? FooterDecoder.decode(fileSize: file.count, tail: $0) }
            if case .metadata(let metadata, let footerOffset)? = step, let schema = try? ParquetSchema(elements: metadata.schema) {
                for group in metadata.rowGroups.indices {
                    guard let decoder = try? RowGroupDecoder(metadata: metadata, schema: schema, rowGroup: group, fields: Array(schema.fields.indices),
                                                             dataEnd: footerOffset, options: ReadOptions()),
                          let ranges = try? decoder.chunkRanges() else { continue }
                    var chunks: [Int: [UInt8]] = [:]
                    for (leaf, range) in ranges where range.lowerBound >= 0 && range.upperBound <= file.count { chunks[leaf] = Array(file[range]) }
                    rows += (try? decoder.decode(chunks: chunks))?.rowCount ?? 0
                }
            }
            if name.hasPrefix("pyarrow-") && !name.contains("brotli") { #expect(rows == 5, "\(name)") }
        }
    }

    @Test("Avro containers, manifests and table metadata")
    func iceberg() {
        for (name, bytes) in Self.inputs("fuzz-avro-container") {
            let file = try? AvroContainerFile(bytes: bytes, name: name, limits: DecompressionLimits(maxOutputBytes: 16 << 20))
            if name.hasSuffix(".avro") { #expect(file?.records.isEmpty == false, "\(name)") }
        }
        for (name, bytes) in Self.inputs("fuzz-iceberg-manifest") {
            let list = try? ManifestFile.readList(bytes, path: name)
            let template = ManifestFile(path: name, length: 0, partitionSpecId: 0, content: .data, sequenceNumber: 1, addedSnapshotId: 1)
            let entries = try? ManifestEntry.readManifest(bytes, manifest: template)
            if name.hasPrefix("snap-") { #expect(list?.isEmpty == false, "\(name)") }
            if name.hasSuffix("-m0.avro") { #expect(entries?.isEmpty == false, "\(name)") }
        }
        for (name, bytes) in Self.inputs("fuzz-iceberg-metadata") {
            let metadata = try? TableMetadata.parse(bytes, source: name)
            if name.hasSuffix(".metadata.json") { #expect(metadata != nil, "\(name)") }
        }
        for (name, bytes) in Self.inputs("fuzz-catalog-answers") where !bytes.isEmpty {
            let answer = Array(bytes.dropFirst())
            switch bytes[0] % 4 {
            case 0: let config = try? CatalogAnswers.config(answer); if name == "config.json" { #expect(config?.prefix == "catalogs/123456789012") }
            case 1: let page = try? CatalogAnswers.namespaces(answer); if name == "namespaces.json" { #expect(page?.namespaces.count == 2) }
            case 2: let page = try? CatalogAnswers.tables(answer, namespace: ["n"]); if name == "tables.json" { #expect(page?.tables.first?.name == "orders_v2") }
            default: let loaded = try? CatalogAnswers.loadTable(answer, name: "n.t"); if name == "load-table.json" { #expect(loaded != nil) }
            }
        }
    }

    @Test("segment tarballs and S3 listings")
    func segmentsAndListings() {
        for (name, bytes) in Self.inputs("fuzz-segment-reader") {
            let reader = try? SegmentReader(tarball: bytes, name: name)
            let columns = try? reader?.columns(maxDocs: 20_000)
            _ = try? SegmentMetadata(text: String(decoding: bytes, as: UTF8.self))
            if name.hasPrefix("orders-") { #expect(columns?["order_id"]?.count == 12, "\(name)") }
        }
        for (name, bytes) in Self.inputs("fuzz-s3-listing") {
            let page = try? S3ObjectStore.listPage(bytes, bucket: "fuzz", prefix: "p/")
            if name == "page.xml" { #expect(page?.objects.map(\.key) == ["p/a.parquet", "p/x&y.parquet"]) }
        }
    }
}
