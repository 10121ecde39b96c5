import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// A `multipart/form-data` body of exactly one file part (spec §11: the controller refuses any
/// other count), whose bytes are streamed from a file in 1 MiB pieces: memory stays at one
/// piece whatever the segment's size. A new ``chunks()`` sequence starts over (for retries).
struct MultipartBody: Sendable {
    enum Source: Sendable {
        case file(String, Int)
        case bytes([UInt8])
    }

    let field: String
    let fileName: String
    let source: Source
    let boundary = "lakeingest-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)

    init(field: String, fileName: String, source: Source) {
        self.field = field
        self.fileName = fileName
        self.source = source
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    private var preamble: [UInt8] {
        Array(("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(field))\"; filename=\"\(Self.quoted(fileName))\"\r\n"
               + "Content-Type: application/octet-stream\r\n\r\n").utf8)
    }

    private var epilogue: [UInt8] { Array("\r\n--\(boundary)--\r\n".utf8) }

    private var contentLength: Int {
        switch source {
        case .file(_, let size): size
        case .bytes(let bytes): bytes.count
        }
    }

    var length: Int { preamble.count + contentLength + epilogue.count }

    func chunks() -> Chunks { Chunks(body: self) }

    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    struct Chunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let body: MultipartBody

        func makeAsyncIterator() -> Iterator { Iterator(body: body) }

        struct Iterator: AsyncIteratorProtocol {
            let body: MultipartBody
            private var stage = 0
            private var descriptor: Int32 = -1
            private var offset = 0

            init(body: MultipartBody) { self.body = body }

            mutating func next() async throws -> ByteBuffer? {
                while true {
                    switch stage {
                    case 0:
                        stage = 1
                        return ByteBuffer(bytes: body.preamble)
                    case 1:
                        switch body.source {
                        case .bytes(let bytes):
                            stage = 2
                            return ByteBuffer(bytes: bytes)
                        case .file(let path, let size):
                            if descriptor < 0 {
                                descriptor = open(path, O_RDONLY | O_CLOEXEC)
                                guard descriptor >= 0 else { throw ControllerError(.io, "cannot open \(path) for upload") }
                            }
                            guard offset < size else {
                                close(descriptor)
                                descriptor = -1
                                stage = 2
                                continue
                            }
                            let count = Swift.min(1 << 20, size - offset)
                            var buffer = ByteBufferAllocator().buffer(capacity: count)
                            let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
                                var done = 0
                                while done < count {
                                    let n = pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset + done))
                                    if n < 0 && errno == EINTR { continue }
                                    if n <= 0 { break }
                                    done += n
                                }
                                return done
                            }
                            guard read == count else {
                                close(descriptor)
                                descriptor = -1
                                throw ControllerError(.io, "\(path) changed while it was uploaded")
                            }
                            offset += count
                            return buffer
                        }
                    case 2:
                        stage = 3
                        return ByteBuffer(bytes: body.epilogue)
                    default:
                        return nil
                    }
                }
            }
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
