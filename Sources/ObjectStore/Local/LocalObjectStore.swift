import Foundation

/// An `ObjectStore` over a local directory (`file://` locations), with S3's semantics: keys are
/// `/`-separated paths below the root, listings come in key (byte) order, ranges are cut at the
/// end and refused past it, and a put replaces the object atomically (temporary file, rename).
public struct LocalObjectStore: ObjectStore {
    public let root: String

    public init(root: String) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
    }

    /// A store for a `file://` URL or a plain path.
    public init(location: String) {
        self.init(root: location.hasPrefix("file://") ? String(location.dropFirst("file://".count)) : location)
    }

    private func path(_ key: String) throws -> String {
        guard !key.split(separator: "/").contains("..") else {
            throw ObjectStoreError(.invalidArgument, "key leaves the store's root", key: key)
        }
        return root + "/" + key
    }

    public func head(_ key: String) async throws -> ObjectInfo {
        let path = try path(key)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ObjectStoreError(.noSuchKey, "no such file", bucket: root, key: key)
        }
        return try Self.info(key: key, path: path)
    }

    /// Size and modification time of the file at `path`, through symbolic links (a folder of
    /// links to Parquet files lists the files' sizes, not the links').
    static func info(key: String, path: String) throws -> ObjectInfo {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let attributes = try FileManager.default.attributesOfItem(atPath: target)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970
        return ObjectInfo(key: key, size: size, etag: modified.map { "\(size)-\(Int64($0 * 1000))" }, lastModified: modified)
    }

    public func get(_ key: String, range: ByteRange?) async throws -> [UInt8] {
        let info = try await head(key)
        guard let handle = FileHandle(forReadingAtPath: try path(key)) else {
            throw ObjectStoreError(.io, "cannot open", bucket: root, key: key)
        }
        defer { try? handle.close() }
        let bounds: Range<Int>
        switch range {
        case nil: bounds = 0..<info.size
        case .suffix(let n)?: bounds = max(0, info.size - n)..<info.size
        case .bounded(let requested)?:
            guard requested.lowerBound >= 0 else {
                throw ObjectStoreError(.invalidArgument, "range \(requested) starts before the object", bucket: root, key: key)
            }
            if requested.isEmpty { return [] }
            guard requested.lowerBound < info.size else {
                throw ObjectStoreError(.invalidRange, "range \(requested) starts past the end (\(info.size) bytes)", bucket: root, key: key)
            }
            bounds = requested.lowerBound..<min(requested.upperBound, info.size)
        }
        do {
            try handle.seek(toOffset: UInt64(bounds.lowerBound))
            let data = try handle.read(upToCount: bounds.count) ?? Data()
            guard data.count == bounds.count else {
                throw ObjectStoreError(.truncatedBody, "file shrank while reading", bucket: root, key: key)
            }
            return [UInt8](data)
        } catch let error as ObjectStoreError {
            throw error
        } catch {
            throw ObjectStoreError(.io, "read failed: \(error)", bucket: root, key: key)
        }
    }

    public func put(_ key: String, body: [UInt8]) async throws {
        let path = try path(key)
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = directory + "/." + ((path as NSString).lastPathComponent) + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(body).write(to: URL(fileURLWithPath: temporary), options: .atomic)
            if rename(temporary, path) != 0 {
                throw ObjectStoreError(.io, "rename failed: \(String(cString: strerror(errno)))", bucket: root, key: key)
            }
        } catch let error as ObjectStoreError {
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ObjectStoreError(.io, "write failed: \(error)", bucket: root, key: key)
        }
    }

    /// Copies the file in under a temporary name and renames it into place.
    public func putFile(_ key: String, path source: String) async throws {
        let path = try path(key)
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = directory + "/." + ((path as NSString).lastPathComponent) + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
            let fd = open(temporary, O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
            if rename(temporary, path) != 0 {
                throw ObjectStoreError(.io, "rename failed: \(String(cString: strerror(errno)))", bucket: root, key: key)
            }
        } catch let error as ObjectStoreError {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ObjectStoreError(.io, "copy failed: \(FileErrorText.describe(error))", bucket: root, key: key)
        }
    }

    public func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> {
        let root = self.root
        // Walk only below the prefix's deepest directory.
        let directoryPrefix = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
        let start = root == "/" ? "/" + directoryPrefix : root + "/" + directoryPrefix
        return AsyncThrowingStream { continuation in
            do {
                var keys: [String] = []
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: start, isDirectory: &isDirectory), isDirectory.boolValue,
                   let enumerator = FileManager.default.enumerator(atPath: start) {
                    while let relative = enumerator.nextObject() as? String {
                        let key = directoryPrefix + relative
                        let name = (relative as NSString).lastPathComponent
                        let isPartialPut = name.hasPrefix(".") && name.contains(".tmp-")
                        var entryIsDirectory: ObjCBool = false
                        FileManager.default.fileExists(atPath: start + relative, isDirectory: &entryIsDirectory)
                        if !entryIsDirectory.boolValue, key.hasPrefix(prefix), !isPartialPut { keys.append(key) }
                    }
                }
                keys.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                for key in keys {
                    continuation.yield(try Self.info(key: key, path: (root == "/" ? "" : root) + "/" + key))
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: ObjectStoreError(.io, "listing failed: \(error)", bucket: root, key: prefix))
            }
        }
    }
}
