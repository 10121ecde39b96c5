import Foundation
import ObjectStore
#if canImport(Glibc)
import Glibc
#endif

/// Durable local file writes: a whole file replaced atomically (temporary file, fsync, rename,
/// fsync of the folder), and lines appended with fsync. A crash at any point leaves either the
/// old file or the new one, never a mix.
enum AtomicFile {
    /// Replaces `path` with `bytes`.
    /// - Parameter beforeRename: runs after the temporary file is durable and before the rename
    ///   (a fault-injection point for tests).
    static func write(_ bytes: [UInt8], to path: String, beforeRename: () -> Void = {}) throws(EngineError) {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = folder + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw error("cannot create", temporary) }
        do throws(EngineError) {
            try writeAll(fd, bytes, path: temporary)
            guard fsync(fd) == 0 else { throw error("cannot fsync", temporary) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        beforeRename()
        guard rename(temporary, path) == 0 else {
            let failure = error("cannot rename into", path)
            unlink(temporary)
            throw failure
        }
        syncFolder(folder)
    }

    /// Appends `line` and a newline to `path`, then fsyncs it.
    static func append(line: String, to path: String) throws(EngineError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw error("cannot open", path) }
        defer { close(fd) }
        try writeAll(fd, Array((line + "\n").utf8), path: path)
        guard fsync(fd) == 0 else { throw error("cannot fsync", path) }
    }

    /// fsync of a folder, so that a rename in it is durable.
    static func syncFolder(_ folder: String) {
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(EngineError) {
        var failure: EngineError?
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    failure = error("cannot write", path)
                    return
                }
                done += n
            }
        }
        if let failure { throw failure }
    }

    static func error(_ what: String, _ path: String) -> EngineError {
        EngineError(.io, "\(what) \(path): \(String(cString: strerror(errno)))", file: path)
    }

    /// Creates `path` and its parents.
    /// Creates `path` and the folders above it (`mkdir -p`), with the system's reason when it
    /// cannot ("not a directory", "permission denied").
    static func makeFolder(_ path: String) throws(EngineError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") where !component.isEmpty {
            current += "/" + component
            guard mkdir(current, 0o755) != 0 else { continue }
            let code = errno
            var info = stat()
            if code == EEXIST, stat(current, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw EngineError(.io, "cannot create the folder \(path): not a directory (\(current) is a file)", file: path)
                }
                continue
            }
            throw EngineError(.io, "cannot create the folder \(path): \(String(cString: strerror(code)).lowercased()) (at \(current))", file: path)
        }
    }

    /// Fails unless files can be created in the folder `path` (made first when missing).
    static func checkWritable(_ path: String) throws(EngineError) {
        try makeFolder(path)
        guard access(path, W_OK | X_OK) == 0 else {
            throw EngineError(.io, "cannot write into the folder \(path): \(String(cString: strerror(errno)).lowercased())", file: path)
        }
    }
}
