import Foundation
import Pinot
#if canImport(Glibc)
import Glibc
#endif

/// Seals a ``SegmentBuilder`` into a tarball file: columns are built `concurrency` at a time (a
/// task group; the bytes do not depend on it), their buffers appended in order to a
/// `columns.psf` scratch file, and the tarball streamed through the compressor to disk and
/// fsynced. Memory beyond the column stores: the buffers of the columns being built.
public enum SegmentSealer {
    public struct Result: Sendable {
        public var summary: SegmentSummary
        public var path: String
        public var bytes: Int
    }

    /// - Parameter path: where the tarball goes (its folder holds the scratch meanwhile); it is
    ///   removed again when sealing fails.
    public static func seal(
        _ builder: SegmentBuilder, name: String?, to path: String, compression: TarballCompression, concurrency: Int,
        creationTime: Int64 = Int64(Date().timeIntervalSince1970 * 1000)
    ) async throws -> Result {
        let seal = try builder.beginSeal(name: name, creationTime: creationTime)
        let folder = (path as NSString).deletingLastPathComponent
        var scratch = try FileScratch(path: folder + "/." + seal.name + ".psf.scratch")
        defer { scratch.remove() }
        try await withThrowingTaskGroup(of: SealedColumn.self) { group in
            var ready: [Int: SealedColumn] = [:]
            var next = 0, started = 0
            let count = seal.columnCount
            let window = max(1, concurrency)
            while started < min(window, count) {
                let index = started
                group.addTask { try seal.buildColumn(index) }
                started += 1
            }
            while let column = try await group.next() {
                ready[column.index] = column
                while let column = ready.removeValue(forKey: next) {
                    try seal.write(column, to: &scratch)
                    next += 1
                }
                // At most `window` columns built ahead of the one being written.
                while started < count && started - next < window {
                    let index = started
                    group.addTask { try seal.buildColumn(index) }
                    started += 1
                }
            }
        }
        let summary = seal.finish()
        var output = try FileTarballOutput(path: path)
        do {
            try seal.writeTarball(summary, scratch: &scratch, to: &output, compression: compression,
                                  workers: summary.columnsBytes > 32 << 20 ? concurrency : 0)
            try output.close()
        } catch {
            output.abandon()
            throw error
        }
        return Result(summary: summary, path: path, bytes: output.written)
    }
}

/// `columns.psf` assembled in a scratch file, then read back in 1 MiB pieces.
struct FileScratch: SegmentScratch {
    let path: String
    private let fd: Int32

    init(path: String) throws(SegmentError) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SegmentError(.io, "cannot create \(path): \(String(cString: strerror(errno)))") }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) throws(SegmentError) {
        try FileWriting.writeAll(fd, bytes, path: path)
    }

    mutating func readBack(_ body: (UnsafeRawBufferPointer) throws(SegmentError) -> Void) throws(SegmentError) {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: off_t = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw SegmentError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { return }
            var failure: SegmentError?
            buffer.withUnsafeBytes { raw in
                do throws(SegmentError) { try body(UnsafeRawBufferPointer(rebasing: raw[0..<n])) } catch { failure = error }
            }
            if let failure { throw failure }
            offset += off_t(n)
        }
    }

    func remove() {
        close(fd)
        unlink(path)
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

