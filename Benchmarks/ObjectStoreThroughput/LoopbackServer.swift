import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP server on 127.0.0.1 that answers every GET with (a Range of) one in-memory object,
/// and counts requests: the far end for the loopback throughput figures. It checks no
/// signatures; the client still signs every request, so signing is part of what is measured.
final class LoopbackServer: Sendable {
    let object: [UInt8]
    let requests = Mutex(0)
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel = Mutex<(any Channel)?>(nil)

    init(object: [UInt8]) { self.object = object }

    func stop() async throws {
        try await channel.withLock { $0 }?.close()
        try await group.shutdownGracefully()
    }

    func start() async throws -> String {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(Handler(server: self)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.channel.withLock { $0 = channel }
        return "http://127.0.0.1:\(channel.localAddress!.port!)"
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: LoopbackServer
        var range: ClosedRange<Int>?

        init(server: LoopbackServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                range = head.headers.first(name: "range").flatMap { Self.parse($0, size: server.object.count) }
            case .body:
                break
            case .end:
                server.requests.withLock { $0 += 1 }
                let bytes = range.map { server.object[$0] } ?? server.object[...]
                var headers = HTTPHeaders()
                headers.add(name: "content-length", value: String(bytes.count))
                let status: HTTPResponseStatus = range == nil ? .ok : .partialContent
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }

        static func parse(_ value: String, size: Int) -> ClosedRange<Int>? {
            let spec = value.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
            guard spec.count == 2 else { return nil }
            if spec[0].isEmpty, let n = Int(spec[1]) { return max(0, size - n)...(size - 1) }
            guard let start = Int(spec[0]) else { return nil }
            let end = Int(spec[1]).map { min($0, size - 1) } ?? size - 1
            return start...end
        }
    }
}
