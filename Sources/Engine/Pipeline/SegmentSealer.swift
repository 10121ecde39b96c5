import BoundedWork
import Foundation
import Pinot
#if canImport(Glibc)
import Glibc
#endif

/// Seals a ``SegmentBuilder`` into a tarball file: columns are built `concurrency` at a time (a
/// task group, the largest first; the bytes do not depend on it), then streamed in one pass
/// through the compressor to disk and fsynced — for large segments compressing on threads of its
/// own (zstd's, or gzip in independent blocks) while the columns' buffers are generated. Memory beyond the column stores: what building adds to them
/// (sorted dictionaries), released column by column as the tarball is written.
enum SegmentSealer {
    struct Result: Sendable {
        var summary: SegmentSummary
        var path: String
        var bytes: Int
    }

    /// Above this many bytes of `columns.psf`, the tarball is compressed on `concurrency` threads.
    static let parallelCompressionBytes = 32 << 20

    /// - Parameter path: where the tarball goes; it is removed again when sealing fails.
    static func seal(
        _ builder: SegmentBuilder, name: String?, to path: String, compression: TarballCompression, concurrency: Int,
        creationTime: Int64 = Int64(Date().timeIntervalSince1970 * 1000)
    ) async throws -> Result {
        let seal = try builder.beginSeal(name: name, creationTime: creationTime)
        var columns = try await build(seal, concurrency: concurrency)
        let columnsBytes = columns.reduce(0) { $0 + $1.size }
        var output = try FileTarballOutput(path: path)
        do {
            let workers = columnsBytes > parallelCompressionBytes ? max(1, concurrency) : 0
            let summary = try seal.writeTarball(columns: &columns, to: &output, compression: compression, workers: workers)
            try output.close()
            return Result(summary: summary, path: path, bytes: output.written)
        } catch {
            output.abandon()
            throw error
        }
    }

    /// Every column built, at most `concurrency` at once, the largest stores first (the last to
    /// start is then a small one); returned in index order.
    private static func build(_ seal: SegmentSeal, concurrency: Int) async throws -> [SealedColumn] {
        let order = (0..<seal.columnCount).sorted { seal.estimatedBytes($0) > seal.estimatedBytes($1) }
        let built = try await OrderedWindow<SealedColumn>.map(order, limit: concurrency) { try seal.buildColumn($0) }
        return built.sorted { $0.index < $1.index }
    }
}

/// The tarball written straight to its file and fsynced when closed.
struct FileTarballOutput: TarballOutput {
    let path: String
    private var fd: Int32
    private(set) var written = 0

    init(path: String) throws(SegmentError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SegmentError(.io, "cannot create \(path): \(String(cString: strerror(errno)))") }
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws(SegmentError) {
        try FileWriting.writeAll(fd, bytes, path: path)
        written += bytes.count
    }

    mutating func close() throws(SegmentError) {
        guard fsync(fd) == 0 else { throw SegmentError(.io, "cannot fsync \(path): \(String(cString: strerror(errno)))") }
        Glibc.close(fd)
        fd = -1
    }

    func abandon() {
        if fd >= 0 { Glibc.close(fd) }
        unlink(path)
    }
}

enum FileWriting {
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(SegmentError) {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw SegmentError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
            done += n
        }
    }
}

