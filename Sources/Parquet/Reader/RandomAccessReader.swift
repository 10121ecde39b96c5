#if canImport(Glibc)
import Glibc
#endif

/// Where the Parquet reader's bytes come from: a size and ranged reads. A local file here; an
/// object in S3 in the engine (which adapts its `ObjectStore` to this protocol).
public protocol RandomAccessReader: Sendable {
    /// The total size in bytes.
    func size() async throws -> Int
    /// The bytes in `range`, exactly.
    func read(_ range: Range<Int>) async throws -> [UInt8]
    /// The bytes of every range, in order. Readers over remote objects merge nearby ranges
    /// into fewer requests; the default reads them one by one.
    func read(ranges: [Range<Int>]) async throws -> [[UInt8]]
}

extension RandomAccessReader {
    public func read(ranges: [Range<Int>]) async throws -> [[UInt8]] {
        var result: [[UInt8]] = []
        for range in ranges { result.append(try await read(range)) }
        return result
    }
}

/// A local file read with `pread`.
public final class LocalFileReader: RandomAccessReader {
    public let path: String
    private let descriptor: Int32
    private let fileSize: Int

    /// Opens `path` for reading.
    /// - Throws: `ParquetError.io` if the file cannot be opened.
    public init(path: String) throws(ParquetError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ParquetError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw ParquetError(.io, "cannot stat: \(String(cString: strerror(errno)))", file: path)
        }
        descriptor = fd
        fileSize = Int(info.st_size)
    }

    deinit { close(descriptor) }

    public func size() async throws -> Int { fileSize }

    public func read(_ range: Range<Int>) async throws -> [UInt8] {
        try readSync(range)
    }

    /// The synchronous read behind ``read(_:)``.
    public func readSync(_ range: Range<Int>) throws(ParquetError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= fileSize else {
            throw ParquetError(.truncated, "range \(range) is outside the file's \(fileSize) bytes", file: path, offset: range.lowerBound)
        }
        var buffer = [UInt8](unsafeUninitializedCapacity: range.count) { _, initialized in initialized = range.count }
        var failure: ParquetError?
        buffer.withUnsafeMutableBytes { out in
            var done = 0
            while done < range.count {
                let n = pread(descriptor, out.baseAddress! + done, range.count - done, off_t(range.lowerBound + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    failure = ParquetError(.io, n == 0 ? "unexpected end of file" : String(cString: strerror(errno)),
                                           file: path, offset: range.lowerBound + done)
                    return
                }
                done += n
            }
        }
        if let failure { throw failure }
        return buffer
    }
}

/// Bytes already in memory.
public struct InMemoryReader: RandomAccessReader {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public func size() async throws -> Int { bytes.count }
    public func read(_ range: Range<Int>) async throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw ParquetError(.truncated, "range \(range) is outside the \(bytes.count) bytes", offset: range.lowerBound)
        }
        return Array(bytes[range])
    }
}
