@testable import Iceberg
import Testing

@Suite("Iceberg delete scope rules")
struct DeleteIndexTests {
    private func entry(_ path: String, _ content: DataFile.Content, seq: Int64, part: String? = "a", spec: Int = 1, format: String = "PARQUET",
                       target: String? = nil, offset: Int64? = nil, status: ManifestEntry.Status = .added) -> ManifestEntry {
        let partition = part.map { [PartitionValue(fieldId: 1000, name: "category", value: .string($0))] } ?? []
        return ManifestEntry(status: status, snapshotId: 1, sequenceNumber: seq, dataFile: DataFile(
            content: content, path: path, format: format, partition: partition, recordCount: 1, fileSizeInBytes: 1, specId: spec,
            equalityIds: content == .equalityDeletes ? [1] : [], referencedDataFile: target, contentOffset: offset, contentSizeInBytes: offset.map { _ in 10 }))
    }

    private let specs = [PartitionSpec(specId: 1, fields: [PartitionField(sourceId: 2, fieldId: 1000, name: "category", transform: .identity)]),
                         PartitionSpec(specId: 0, fields: [])]

    @Test("position deletes apply at <= their sequence number in their partition; a deletion vector supersedes them; the newest vector wins")
    func positions() {
        let data = entry("d1", .data, seq: 5)
        let index = DeleteIndex(deletes: [
            entry("p-same", .positionDeletes, seq: 5), entry("p-older", .positionDeletes, seq: 4), entry("p-other-part", .positionDeletes, seq: 9, part: "b"),
            entry("p-scoped-elsewhere", .positionDeletes, seq: 9, target: "d2"), entry("p-gone", .positionDeletes, seq: 9, status: .deleted),
        ], specs: specs)
        #expect(index.deletes(for: data).positionDeletes.map(\.path) == ["p-same"])
        let vectors = DeleteIndex(deletes: [
            entry("p", .positionDeletes, seq: 6), entry("dv.puffin", .positionDeletes, seq: 6, format: "PUFFIN", target: "d1", offset: 4),
            entry("dv.puffin", .positionDeletes, seq: 7, format: "PUFFIN", target: "d1", offset: 40),
        ], specs: specs)
        let applied = vectors.deletes(for: data)
        #expect(applied.deletionVector?.contentOffset == 40 && applied.positionDeletes.isEmpty)
    }

    @Test("equality deletes apply strictly below their sequence number, in their partition or everywhere when unpartitioned")
    func equality() {
        let index = DeleteIndex(deletes: [
            entry("e-same-seq", .equalityDeletes, seq: 5), entry("e-newer", .equalityDeletes, seq: 6), entry("e-other", .equalityDeletes, seq: 9, part: "b"),
            entry("e-global", .equalityDeletes, seq: 9, part: nil, spec: 0),
        ], specs: specs)
        #expect(index.deletes(for: entry("d1", .data, seq: 5)).equalityDeletes.map(\.path) == ["e-global", "e-newer"])
        #expect(index.deletes(for: entry("d2", .data, seq: 9, part: "b")).equalityDeletes.isEmpty)
        #expect(index.deletes(for: entry("d3", .data, seq: 1, part: "b")).equalityDeletes.map(\.path) == ["e-global", "e-other"])
    }
}
