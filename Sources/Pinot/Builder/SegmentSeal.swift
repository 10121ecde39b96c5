import Codecs

/// Where the compressed tarball goes, piece by piece.
public protocol TarballOutput {
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws(SegmentError)
}

/// A tarball collected in memory.
public struct MemoryTarball: TarballOutput {
    public var bytes: [UInt8] = []
    public init() {}
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws(SegmentError) { self.bytes.append(contentsOf: bytes) }
}

/// How a segment tarball is compressed, and the name Pinot gives it (spec §10).
public enum TarballCompression: String, Sendable, CaseIterable {
    /// Every Pinot reads it.
    case gzip
    /// Pinot 1.3 and later; several times faster to write.
    case zstd

    public var fileExtension: String { self == .gzip ? ".tar.gz" : ".tar.zst" }
}

/// One column built by ``SegmentSeal/buildColumn(_:)``, ready to be written in order.
public struct SealedColumn: Sendable {
    public let index: Int
    let built: BuiltColumn
    /// Bytes the column adds to `columns.psf`.
    public var size: Int { built.buffers.reduce(0) { $0 + $1.buffer.size + 8 } }
}

/// What a sealed segment is, once its files are written.
public struct SegmentSummary: Sendable {
    public var name: String
    public var docs: Int
    public var metadataProperties: [UInt8]
    public var indexMap: [UInt8]
    public var creationMeta: [UInt8]
    /// `creation.meta`'s CRC of the segment's files.
    public var crc: UInt32
    /// The columns stored without a dictionary.
    public var rawColumns: [String]
    /// The size of `columns.psf`.
    public var columnsBytes: Int
}

/// A segment being sealed: its column stores taken from the builder, built column by column.
/// Columns are independent, so a caller may build them on several threads at once (each index
/// once); ``writeTarball(columns:to:compression:workers:)`` then streams the tarball, or
/// ``write(_:into:)`` takes them in index order and ``finish()`` composes `index_map`,
/// `metadata.properties` and `creation.meta`.
public final class SegmentSeal: @unchecked Sendable {
    public let name: String
    public let docs: Int
    public let creationTime: Int64
    /// The columns in `columns.psf` order.
    public let columnNames: [String]
    private let table: TableConfig
    private let boxes: [StoreBox]
    private var metadata: MetadataWriter
    private var indexMap: [String] = []
    private var psfSize = 0
    private var adler = Adler32()
    private var nextColumn = 0
    private var rawColumns: [String] = []

    private final class StoreBox: @unchecked Sendable {
        var store: ColumnStore?
        init(_ store: ColumnStore) { self.store = store }
    }

    init(name: String, docs: Int, table: TableConfig, stores: [ColumnStore], header: MetadataWriter, creationTime: Int64) {
        self.name = name
        self.docs = docs
        self.table = table
        self.creationTime = creationTime
        boxes = stores.map(StoreBox.init)
        columnNames = stores.map(\.spec.name)
        metadata = header
    }

    public var columnCount: Int { boxes.count }

    /// Memory a column's store holds (for scheduling several at once).
    public func estimatedBytes(_ index: Int) -> Int { boxes[index].store?.estimatedBytes ?? 0 }

    /// Builds column `index`: dictionary, forward and inverted indexes, null vector, metadata.
    /// Safe to call from several threads for different indexes; each index once.
    public func buildColumn(_ index: Int) throws(SegmentError) -> SealedColumn {
        guard let store = boxes[index].store.take() else {
            throw SegmentError(.invalidValue, "column \(columnNames[index]) was already built", segment: name)
        }
        do {
            return SealedColumn(index: index, built: try store.build(docs: docs, table: table))
        } catch {
            var located = error
            located.segment = located.segment ?? name
            throw located
        }
    }

    /// Appends a built column's buffers to `columns.psf` through `sink` (columns in index order).
    public func write(_ column: SealedColumn, into sink: (UnsafeRawBufferPointer) throws(SegmentError) -> Void) throws(SegmentError) {
        precondition(column.index == nextColumn, "columns are written in order")
        nextColumn += 1
        func pass(_ raw: UnsafeRawBufferPointer) throws(SegmentError) {
            adler.update(raw)
            try sink(raw)
        }
        for (index, buffer) in column.built.buffers {
            // Keys escaped as in metadata.properties: Pinot reads index_map as a properties file.
            let key = MetadataWriter.escapeKey(column.built.name)
            indexMap.append("\(key).\(index).startOffset = \(psfSize)")
            indexMap.append("\(key).\(index).size = \(buffer.size + 8)")
            try SegmentFiles.magic.withBytes { (raw) throws(SegmentError) in try pass(raw) }
            switch buffer {
            case .bytes(let bytes):
                try bytes.withBytes { (raw) throws(SegmentError) in try pass(raw) }
            case .generated(let size, let write):
                var produced = 0
                try write { (raw) throws(SegmentError) in
                    produced += raw.count
                    try pass(raw)
                }
                guard produced == size else {
                    throw SegmentError(.invalidValue, "the \(index) of column \(column.built.name) wrote \(produced) bytes, \(size) were announced", segment: name)
                }
            }
            psfSize += buffer.size + 8
        }
        metadata.append(column.built.metadata)
        if column.built.raw { rawColumns.append(column.built.name) }
    }

    /// Composes the small files (`index_map`, `metadata.properties`, `creation.meta`).
    public func finish() -> SegmentSummary {
        precondition(nextColumn == boxes.count, "every column is written before finishing")
        metadata.add("segment.index.version", "v3")
        let indexMapBytes = Array((indexMap.joined(separator: "\n") + "\n").utf8)
        let metadataBytes = Array(metadata.text.utf8)
        adler.update(indexMapBytes)
        adler.update(metadataBytes)
        var meta = ByteWriter()
        meta.int64(Int64(adler.value))
        meta.int64(creationTime)
        let summary = SegmentSummary(
            name: name, docs: docs, metadataProperties: metadataBytes, indexMap: indexMapBytes, creationMeta: meta.bytes,
            crc: adler.value, rawColumns: rawColumns, columnsBytes: psfSize)
        return summary
    }

    /// Writes the tarball (spec §10) in one pass: `<name>/`, `<name>/v3/`, `columns.psf` (its
    /// size, the sum of the built columns', goes first in its tar header), then `creation.meta`,
    /// `index_map` and `metadata.properties`. Each column's buffers go from its stores through
    /// the compressor to `output`, and `columns` is emptied as they are written, so memory falls
    /// column by column.
    /// - Parameters:
    ///   - columns: every column, built by ``buildColumn(_:)``, in index order.
    ///   - workers: compression threads, which compress while the columns' buffers are
    ///     generated (the bytes differ between none and some, not between counts of them).
    public func writeTarball(
        columns: inout [SealedColumn], to output: inout some TarballOutput, compression: TarballCompression, workers: Int = 0
    ) throws(SegmentError) -> SegmentSummary {
        precondition(columns.map(\.index) == Array(nextColumn..<boxes.count), "the columns not yet written, in order")
        let columnsBytes = psfSize + columns.reduce(0) { $0 + $1.size }
        let compressor: StreamCompressor
        do {
            compressor = try StreamCompressor(compression == .gzip ? .gzip : .zstd, level: 1, workers: workers)
        } catch {
            throw SegmentError(.io, "cannot start the \(compression.rawValue) compressor: \(error)", segment: name)
        }
        func emit(_ bytes: UnsafeRawBufferPointer) throws(SegmentError) {
            do {
                try compressor.write(bytes) { piece in try output.write(piece) }
            } catch let error as SegmentError {
                throw error
            } catch {
                throw SegmentError(.io, "compressing the tarball failed: \(error)", segment: name, cause: error)
            }
        }
        func emit(_ bytes: [UInt8]) throws(SegmentError) { try bytes.withBytes { (raw) throws(SegmentError) in try emit(raw) } }
        try emit(TarArchive.header(path: name + "/", size: 0, isDirectory: true))
        try emit(TarArchive.header(path: name + "/v3/", size: 0, isDirectory: true))
        try emit(TarArchive.header(path: name + "/v3/columns.psf", size: columnsBytes, isDirectory: false))
        columns.reverse()
        while let column = columns.popLast() {
            try write(column) { (raw) throws(SegmentError) in try emit(raw) }
        }
        guard psfSize == columnsBytes else {
            throw SegmentError(.io, "the columns wrote \(psfSize) bytes of columns.psf, \(columnsBytes) were announced", segment: name)
        }
        try emit(TarArchive.padding(columnsBytes))
        let summary = finish()
        for (path, contents) in [("creation.meta", summary.creationMeta), ("index_map", summary.indexMap), ("metadata.properties", summary.metadataProperties)] {
            try emit(TarArchive.header(path: name + "/v3/" + path, size: contents.count, isDirectory: false))
            try emit(contents)
            try emit(TarArchive.padding(contents.count))
        }
        try emit(TarArchive.end)
        do {
            try compressor.finish { piece in try output.write(piece) }
        } catch let error as SegmentError {
            throw error
        } catch {
            throw SegmentError(.io, "compressing the tarball failed: \(error)", segment: name, cause: error)
        }
        return summary
    }
}

/// A built segment held in memory: its name and the files of its directory (`v3/…`).
public struct BuiltSegment: Sendable {
    public var name: String
    public var files: [String: [UInt8]]

    /// The push tarball (spec §10): `<name>/`, `<name>/v3/`, then the files; gzip at a low
    /// level (every Pinot reads it) or zstd (Pinot 1.3 and later).
    public func tarball(zstd: Bool = false) throws(SegmentError) -> [UInt8] {
        var entries = [TarArchive.Entry(path: name + "/", isDirectory: true, contents: []),
                       TarArchive.Entry(path: name + "/v3/", isDirectory: true, contents: [])]
        for path in files.keys.sorted() { entries.append(TarArchive.Entry(path: name + "/" + path, isDirectory: false, contents: files[path]!)) }
        let tar = TarArchive(entries: entries).serialized()
        do {
            return try tar.withUnsafeBytes { (raw) throws(CodecError) in try Compressor.compress(zstd ? .zstd : .gzip, raw, level: 1) }
        } catch {
            throw SegmentError(.io, "compressing the tarball failed: \(error)", segment: name, cause: error)
        }
    }

    /// The metadata-only bundle of a METADATA push (spec §10).
    public func metadataBundle() throws(SegmentError) -> [UInt8] {
        try MetadataBundle.make(name: name, metadataProperties: files["v3/metadata.properties"] ?? [], creationMeta: files["v3/creation.meta"] ?? [])
    }
}

/// The metadata-only bundle of a METADATA push (spec §10): a gzip tarball whose first entry is a
/// directory holding only `metadata.properties` and `creation.meta`.
public enum MetadataBundle {
    public static func make(name: String, metadataProperties: [UInt8], creationMeta: [UInt8]) throws(SegmentError) -> [UInt8] {
        let entries = [
            TarArchive.Entry(path: name + "/", isDirectory: true, contents: []),
            TarArchive.Entry(path: name + "/creation.meta", isDirectory: false, contents: creationMeta),
            TarArchive.Entry(path: name + "/metadata.properties", isDirectory: false, contents: metadataProperties),
        ]
        do {
            return try TarArchive(entries: entries).serialized().withUnsafeBytes { (raw) throws(CodecError) in
                try Compressor.compress(.gzip, raw, level: 1)
            }
        } catch {
            throw SegmentError(.io, "compressing the metadata bundle failed: \(error)", segment: name, cause: error)
        }
    }
}
