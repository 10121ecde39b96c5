import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension S3ObjectStore {
    /// Uploads a local file: one PUT up to `multipartThreshold`, else a multipart upload of
    /// `partSize` parts read from the file one at a time (memory: one part), each part retried on
    /// its own; a failed upload is aborted so no parts are left behind.
    public func putFile(_ key: String, path: String) async throws {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
            throw ObjectStoreError(.io, "cannot read \(path)", bucket: bucket, key: key)
        }
        let partSize = max(5 << 20, configuration.partSize)
        guard size > configuration.multipartThreshold else {
            try await put(key, body: try Self.read(path, offset: 0, count: size, key: key))
            return
        }
        let created = try await send(method: .POST, key: key, query: [("uploads", "")], body: [])
        guard let uploadId = S3XML.text("UploadId", in: String(decoding: created.body, as: UTF8.self)[...]) else {
            throw ObjectStoreError(.invalidResponse, "CreateMultipartUpload answer without an UploadId", bucket: bucket, key: key)
        }
        do {
            var parts: [(Int, String)] = []
            var offset = 0
            var number = 1
            while offset < size {
                let count = min(partSize, size - offset)
                let body = try Self.read(path, offset: offset, count: count, key: key)
                let response = try await send(method: .PUT, key: key, query: [("partNumber", String(number)), ("uploadId", uploadId)], body: body)
                guard let etag = response.headers.first(name: "etag") else {
                    throw ObjectStoreError(.invalidResponse, "UploadPart answer without an ETag", bucket: bucket, key: key)
                }
                parts.append((number, etag))
                offset += count
                number += 1
            }
            var xml = "<CompleteMultipartUpload>"
            for (number, etag) in parts { xml += "<Part><PartNumber>\(number)</PartNumber><ETag>\(etag)</ETag></Part>" }
            xml += "</CompleteMultipartUpload>"
            let completed = try await send(method: .POST, key: key, query: [("uploadId", uploadId)], body: Array(xml.utf8))
            // S3 may answer 200 with an error document.
            let text = String(decoding: completed.body, as: UTF8.self)
            if text.contains("<Error>") {
                throw S3ErrorMapping.error(status: 500, body: completed.body, requestId: nil, bucket: bucket, key: key)
            }
        } catch {
            _ = try? await send(method: .DELETE, key: key, query: [("uploadId", uploadId)])
            throw error
        }
    }

    static func read(_ path: String, offset: Int, count: Int, key: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ObjectStoreError(.io, "cannot open \(path)", key: key) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ObjectStoreError(.io, "\(path) ended after \(offset + done) bytes", key: key) }
            done += n
        }
        return buffer
    }
}
