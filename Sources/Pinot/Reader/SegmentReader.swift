import Codecs
import Columnar
import Foundation

/// Reads a Pinot segment — a directory or a tarball, v1 or v3 layout — validating sizes,
/// offsets and magic markers as it goes; for `segment dump` and for tests of the builder.
public struct SegmentReader: Sendable {
    public let metadata: SegmentMetadata
    /// The CRC `creation.meta` records, and whether it matches the files (nil without creation.meta).
    public let recordedCRC: UInt32?
    public let crcMatches: Bool?
    let files: SegmentFiles

    /// Opens a `.tar.gz` (or zstd) tarball whose first entry is the segment directory.
    /// - Throws: `SegmentError` naming the segment.
    public init(tarball bytes: [UInt8], name: String) throws(SegmentError) {
        let archive: TarArchive
        do throws(SegmentError) {
            archive = try TarArchive.read(bytes)
        } catch {
            var located = error
            located.segment = name
            throw located
        }
        guard let top = archive.entries.first?.path.split(separator: "/").first else {
            throw SegmentError(.corrupt, "the tarball is empty", segment: name)
        }
        var files: [String: [UInt8]] = [:]
        for entry in archive.entries where !entry.isDirectory {
            let parts = entry.path.split(separator: "/")
            guard parts.first == top, parts.count > 1 else { continue }
            files[parts.dropFirst().joined(separator: "/")] = entry.contents
        }
        try self.init(files: files, name: name)
    }

    /// Opens a segment directory.
    public init(directory: String) throws(SegmentError) {
        var files: [String: [UInt8]] = [:]
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: directory) else {
            throw SegmentError(.io, "cannot read the directory", segment: directory)
        }
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: directory + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue,
               let data = manager.contents(atPath: directory + "/" + relative) {
                files[relative] = [UInt8](data)
            }
        }
        try self.init(files: files, name: directory)
    }

    init(files: [String: [UInt8]], name: String) throws(SegmentError) {
        do throws(SegmentError) {
            self.files = try SegmentFiles(files: files, segment: name)
            metadata = try SegmentMetadata(text: self.files.metadataText)
            if let meta = self.files.creationMeta {
                guard meta.count == 16 || meta.count == 24 else { throw SegmentError(.corrupt, "creation.meta has \(meta.count) bytes") }
                let crc = UInt32(truncatingIfNeeded: meta.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
                recordedCRC = crc
                crcMatches = Self.segmentCRC(files) == crc
            } else {
                recordedCRC = nil
                crcMatches = nil
            }
        } catch {
            var located = error
            located.segment = located.segment ?? name
            throw located
        }
    }

    /// Adler-32 over every file but `creation.meta` and `*.crc`, in path order (spec §3).
    public static func segmentCRC(_ files: [String: [UInt8]]) -> UInt32 {
        var adler = Adler32()
        for path in files.keys.sorted(by: { Array($0.utf16).lexicographicallyPrecedes(Array($1.utf16)) })
        where !path.hasSuffix("creation.meta") && !path.hasSuffix(".crc") {
            adler.update(files[path]!)
        }
        return adler.value
    }

    /// Every column's values by name; nulls are `.null`.
    /// - Parameter maxDocs: the most documents read into memory; a segment claiming more is
    ///   refused before anything is allocated for it.
    public func columns(maxDocs: Int = 50_000_000) throws(SegmentError) -> [String: [Value]] {
        guard metadata.totalDocs <= maxDocs else {
            throw SegmentError(.unsupported, "the segment claims \(metadata.totalDocs) docs, more than the \(maxDocs) this reader holds in memory", segment: metadata.name)
        }
        var result: [String: [Value]] = [:]
        for column in metadata.columns {
            result[column.name] = try ColumnReader(column: column, files: files, totalDocs: metadata.totalDocs, segment: metadata.name).values()
        }
        return result
    }
}

/// Adler-32 (RFC 1950), as Java's `java.util.zip.Adler32` (zlib's implementation).
struct Adler32 {
    private(set) var value: UInt32 = 1

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        value = Checksums.adler32(value, bytes)
    }
}
