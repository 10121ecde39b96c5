import Iceberg

/// Manifest lists and manifests (Avro files read into `ManifestFile` and `ManifestEntry`): the
/// input is read as both.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let manifests = (try? ManifestFile.readList(bytes, path: "fuzz-list.avro")) ?? []
    for manifest in manifests.prefix(1) {
        _ = try? ManifestEntry.readManifest(bytes, manifest: manifest)
    }
    if let template = Template.manifest {
        _ = try? ManifestEntry.readManifest(bytes, manifest: template)
    }
    return 0
}

/// A manifest-list entry to read inputs as manifests with, from the seed list bundled as base64
/// (a pyiceberg manifest list of the fixture warehouse).
enum Template {
    nonisolated(unsafe) static let manifest: ManifestFile? = {
        guard let list = decodeBase64(seedManifestList) else { return nil }
        return (try? ManifestFile.readList(list, path: "seed-list.avro"))?.first
    }()

    static func decodeBase64(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var table = [Int](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = i }
        var out: [UInt8] = []
        var buffer = 0, bits = 0
        for c in text.utf8 where c != UInt8(ascii: "=") && c != UInt8(ascii: "\n") {
            guard table[Int(c)] >= 0 else { return nil }
            buffer = buffer << 6 | table[Int(c)]
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> bits) & 0xFF))
            }
        }
        return out
    }
}
