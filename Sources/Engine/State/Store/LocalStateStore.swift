import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The state in a local folder (or a shared volume): whole files replaced atomically
/// (temporary file, fsync, rename, fsync of the folder), a creation by `link`, which fails when
/// the name exists, and a compare-and-swap made atomic among processes by an `flock` on
/// `.state-lock` held across the compare and the rename. The version is the content's hash.
struct LocalStateStore: StateStore {
    let path: String

    var location: String { path.hasSuffix("/") ? path : path + "/" }
    var isLocal: Bool { true }

    private func file(_ name: String) -> String { location + name }

    func read(_ name: String) async throws(EngineError) -> StateObject? {
        try readNow(name)
    }

    func readNow(_ name: String) throws(EngineError) -> StateObject? {
        let path = file(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw AtomicFile.error("cannot read", path) }
            return nil
        }
        let bytes = [UInt8](data)
        return StateObject(bytes: bytes, version: Self.version(bytes))
    }

    func create(_ name: String, _ bytes: [UInt8]) async throws(EngineError) -> String? {
        try createNow(name, bytes)
    }

    func createNow(_ name: String, _ bytes: [UInt8], beforeLink: () -> Void = {}) throws(EngineError) -> String? {
        let path = file(name)
        try AtomicFile.makeFolder((path as NSString).deletingLastPathComponent)
        let temporary = path + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try AtomicFile.write(bytes, to: temporary)
        defer { unlink(temporary) }
        beforeLink()
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { return nil }
            throw AtomicFile.error("cannot create", path)
        }
        AtomicFile.syncFolder((path as NSString).deletingLastPathComponent)
        return Self.version(bytes)
    }

    func replace(_ name: String, _ bytes: [UInt8], ifVersion version: String?) async throws(EngineError) -> String? {
        try replaceNow(name, bytes, ifVersion: version)
    }

    func replaceNow(_ name: String, _ bytes: [UInt8], ifVersion version: String?, beforeRename: () -> Void = {}) throws(EngineError) -> String? {
        let path = file(name)
        try AtomicFile.makeFolder((path as NSString).deletingLastPathComponent)
        guard let version else {
            try AtomicFile.write(bytes, to: path, beforeRename: beforeRename)
            return Self.version(bytes)
        }
        let lock = open(location + ".state-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw AtomicFile.error("cannot open", location + ".state-lock") }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 && errno == EINTR {}
        guard try readNow(name)?.version == version else { return nil }
        try AtomicFile.write(bytes, to: path, beforeRename: beforeRename)
        return Self.version(bytes)
    }

    func list(_ prefix: String) async throws(EngineError) -> [String] {
        var names: [String] = []
        let root = location
        guard let walker = FileManager.default.enumerator(atPath: root + prefix) else { return [] }
        while let relative = walker.nextObject() as? String {
            let name = prefix + relative
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + name, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            // Temporary files of a write in progress (or of a killed one).
            let base = (relative as NSString).lastPathComponent
            if base.hasPrefix(".") || base.contains(".new-") { continue }
            names.append(name)
        }
        return names.sorted()
    }

    func remove(_ name: String) async throws(EngineError) {
        let path = file(name)
        if unlink(path) != 0 && errno != ENOENT { throw AtomicFile.error("cannot remove", path) }
    }

    static func version(_ bytes: [UInt8]) -> String {
        StableHash.hex([String(decoding: bytes, as: UTF8.self), String(bytes.count)])
    }
}
