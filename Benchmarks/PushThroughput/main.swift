// Push throughput: one large tarball pushed to a controller (TAR: streamed as the multipart
// part; METADATA: put into a deep store, then the bundle), with the memory the process held.
//
//   PushThroughput --controller http://127.0.0.1:PORT --mode tar|metadata --megabytes N [--deep-store file:///dir/]
//
// Prints one JSON line: bytes, seconds, MB/s, RSS before and peak RSS (VmHWM) in MiB. The file
// is made before the baseline is taken, so the peak shows what the upload itself holds.
import Foundation
import ObjectStore
import Pinot
import PinotController

func argument(_ name: String) -> String? {
    let args = CommandLine.arguments
    return args.firstIndex(of: name).flatMap { args.indices.contains($0 + 1) ? args[$0 + 1] : nil }
}

func status(_ key: String) -> Double {
    let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = text.split(separator: "\n").first { $0.hasPrefix(key + ":") } ?? ""
    return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
}

let controllerURI = argument("--controller") ?? "http://127.0.0.1:9000"
let mode = argument("--mode") ?? "tar"
let megabytes = Int(argument("--megabytes") ?? "1024") ?? 1024
let deepStore = argument("--deep-store") ?? "file:///tmp/lakeingest-push-bench-deep/"
let path = NSTemporaryDirectory() + "lakeingest-push-bench-\(getpid()).tar.gz"
do {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var block = [UInt8](repeating: 0, count: 1 << 20)
    for i in block.indices { block[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
    for _ in 0..<megabytes { _ = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
    close(fd)
}
defer { unlink(path) }
let controller = try PinotController(PinotController.Configuration(uri: controllerURI, authorization: nil, timeout: .seconds(600)))
let name = "bench_\(getpid())"
let before = status("VmRSS")
let started = ContinuousClock.now
if mode == "metadata" {
    let store = LocalObjectStore(location: deepStore)
    try await store.putFile(name + ".tar.gz", path: path)
    let bundle = try MetadataBundle.make(name: name, metadataProperties: Array("segment.name = \(name)\n".utf8), creationMeta: [UInt8](repeating: 0, count: 16))
    try await controller.uploadMetadata(name: name, table: "bench", bundle: bundle, downloadURI: deepStore + name + ".tar.gz")
    unlink(String(deepStore.dropFirst("file://".count)) + name + ".tar.gz")
} else {
    try await controller.uploadSegment(name: name, table: "bench", tarball: path, fileName: name + ".tar.gz")
}
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let bytes = megabytes << 20
print("{\"mode\": \"\(mode)\", \"bytes\": \(bytes), \"seconds\": \(seconds), \"MBps\": \(Double(bytes) / seconds / 1e6), \"rssBeforeMiB\": \(before), \"peakRssMiB\": \(status("VmHWM"))}")
