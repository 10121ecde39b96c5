import Foundation
import ObjectStore
import Pinot

/// A segment sealed to a tarball on local disk, ready to push.
public struct SealedSegment: Sendable {
    public var name: String
    /// The tarball in the state folder's `work/`.
    public var tarball: String
    public var tarballBytes: Int
    public var compression: TarballCompression
    public var rows: Int
    /// `metadata.properties`, `creation.meta` and the rest, for METADATA pushes.
    public var summary: SegmentSummary

    /// The tarball's file name as Pinot names it: `<name>.tar.gz` or `<name>.tar.zst`.
    public var fileName: String { name + compression.fileExtension }
}

/// Where segments go (DESIGN.md, `push.mode`): a folder (``LocalSegmentPusher``), or a Pinot
/// controller. Pushing a segment again under its name replaces it, which is what makes reruns
/// exact; the checkpoint moves only after ``push(_:)`` returned.
public protocol SegmentPusher: Sendable {
    /// Called once per run before the first push, with the schema the segments are built in and
    /// the first sealed segment (a controller checks or creates the table here).
    func prepare(schema: PinotSchema, first: SealedSegment) async throws
    /// Pushes one segment; returns once the target holds it durably.
    func push(_ segment: SealedSegment) async throws
    /// The target table's OFFLINE config as Pinot's JSON, when the target has one: segments are
    /// then built as it says (raw columns, inverted indexes, codecs, the time column).
    func tableConfigJSON() async throws -> [UInt8]?
    /// Called once per run before anything is built: fails when segments could not be pushed
    /// (an output folder that cannot be written), so the run stops before the work.
    func checkTarget() async throws
    /// Makes sure the table exists before any segment is built (a sharded step opens its
    /// lineage entry first): a controller creates it from `schema` when `createTable` is set.
    func prepareTable(schema: PinotSchema) async throws
    /// Whether the target keeps segment lineage (spec §14), so that a step's segments can be
    /// hidden until the step is complete.
    func supportsLineage() async -> Bool

    // A swap (DESIGN.md: the old segments are replaced in one atomic swap): `beginSwap`, then
    // every new segment pushed, then `endSwap`; a reader sees the old segments or the new ones.

    /// Starts replacing `from` by `to`; returns the swap's id on the target (a controller's
    /// lineage entry), or nil when the target has none. With `forceCleanup`, an unfinished swap
    /// of the same segments is reverted first; without, it makes this call fail.
    func beginSwap(from: [String], to: [String], forceCleanup: Bool) async throws -> String?
    /// The new segments are all pushed: they replace `from`. `to` may be a subset of the
    /// names the swap began with (segments that were expected but never built).
    func endSwap(id: String?, from: [String], to: [String]) async throws
    /// Whether a swap a killed run began had completed on the target (a rerun then only
    /// records it) or not (a rerun reverts it and swaps again).
    func swapCompleted(id: String?, from: [String], to: [String]) async throws -> Bool
    /// Takes a swap that did not complete back: the new segments go, the old ones stay.
    func revertSwap(id: String?, from: [String], to: [String]) async throws
}

extension SegmentPusher {
    public func tableConfigJSON() async throws -> [UInt8]? { nil }
    public func checkTarget() async throws {}
    public func prepareTable(schema: PinotSchema) async throws {}
    public func supportsLineage() async -> Bool { false }

    /// Begins a swap, reverting an unfinished one of the same segments (a killed run's).
    public func beginSwap(from: [String], to: [String]) async throws -> String? {
        try await beginSwap(from: from, to: to, forceCleanup: true)
    }
}

/// The embedded default: each segment as `outputDir/<name>.tar.gz` (`.tar.zst` for zstd),
/// moved in under a temporary dot-name and renamed, so the folder only ever holds whole
/// segments; a segment pushed again replaces the file.
public struct LocalSegmentPusher: SegmentPusher {
    public let outputDir: String

    public init(outputDir: String) { self.outputDir = outputDir }

    public func checkTarget() async throws {
        try AtomicFile.checkWritable(outputDir)
    }

    public func prepare(schema: PinotSchema, first: SealedSegment) async throws {
        try AtomicFile.makeFolder(outputDir)
    }

    public func push(_ segment: SealedSegment) async throws {
        try AtomicFile.makeFolder(outputDir)
        let target = outputDir + "/" + segment.fileName
        let temporary = outputDir + "/." + segment.fileName + ".tmp"
        if rename(segment.tarball, temporary) != 0 {
            guard errno == EXDEV else { throw AtomicFile.error("cannot move \(segment.tarball) to", temporary) }
            // Another file system: copy, then fsync before the rename.
            unlink(temporary)
            do {
                try FileManager.default.copyItem(atPath: segment.tarball, toPath: temporary)
            } catch {
                throw EngineError(.io, "cannot copy \(segment.tarball) to \(temporary): \(FileErrorText.describe(error))", file: temporary)
            }
            let fd = open(temporary, O_RDONLY | O_CLOEXEC)
            if fd >= 0 { fsync(fd); close(fd) }
            unlink(segment.tarball)
        }
        guard rename(temporary, target) == 0 else { throw AtomicFile.error("cannot rename into", target) }
        AtomicFile.syncFolder(outputDir)
    }

    /// A folder has no lineage: the new tarballs are renamed in first (``push(_:)``), and the
    /// old ones removed at the end.
    public func beginSwap(from: [String], to: [String], forceCleanup: Bool) async throws -> String? { nil }

    public func prepareTable(schema: PinotSchema) async throws {
        try AtomicFile.makeFolder(outputDir)
    }

    public func endSwap(id: String?, from: [String], to: [String]) async throws {
        for name in from { try remove(name) }
        AtomicFile.syncFolder(outputDir)
    }

    /// Completed when every new tarball is in the folder (only the removals may be missing).
    public func swapCompleted(id: String?, from: [String], to: [String]) async throws -> Bool {
        to.allSatisfy { name in TarballCompression.allCases.contains { FileManager.default.fileExists(atPath: outputDir + "/" + name + $0.fileExtension) } }
    }

    public func revertSwap(id: String?, from: [String], to: [String]) async throws {
        for name in to { try remove(name) }
        AtomicFile.syncFolder(outputDir)
    }

    /// Removes a segment's tarball, whichever compression it was pushed with.
    private func remove(_ name: String) throws {
        for compression in TarballCompression.allCases {
            let path = outputDir + "/" + name + compression.fileExtension
            if unlink(path) != 0 && errno != ENOENT { throw AtomicFile.error("cannot remove", path) }
        }
    }
}
