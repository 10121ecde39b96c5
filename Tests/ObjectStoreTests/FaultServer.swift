import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A local HTTP server on 127.0.0.1 that misbehaves on purpose, one scripted behaviour per
/// request in order (the last one repeats): for the retry and timeout tests.
final class FaultServer: Sendable {
    enum Behaviour: Sendable {
        /// Answer with this status and an S3-style error document.
        case status(Int, code: String)
        /// Answer 200 (or 206 for a Range request) with the payload, whole.
        case serve
        /// Send the head and half the body, then close the connection.
        case cutBody
        /// Accept the request and never answer.
        case silence
    }

    let payload: [UInt8]
    private let script: [Behaviour]
    let requests = Mutex(0)
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: Mutex<(any Channel)?> = Mutex(nil)

    init(payload: [UInt8], script: [Behaviour]) {
        self.payload = payload
        self.script = script
    }

    var requestCount: Int { requests.withLock { $0 } }

    /// Starts listening; returns the endpoint URL.
    func start() async throws -> String {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(server: self))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        self.channel.withLock { $0 = channel }
        return "http://127.0.0.1:\(channel.localAddress!.port!)"
    }

    func stop() async throws {
        let channel = self.channel.withLock { $0 }
        try await channel?.close()
        try await group.shutdownGracefully()
    }

    fileprivate func behaviour() -> Behaviour {
        let index = requests.withLock { count in
            defer { count += 1 }
            return count
        }
        return script[min(index, script.count - 1)]
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: FaultServer
        var range: (Int, Int)?

        init(server: FaultServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                range = head.headers.first(name: "range").flatMap(Self.parseRange)
            case .body:
                break
            case .end:
                respond(context: context)
            }
        }

        static func parseRange(_ value: String) -> (Int, Int)? {
            let spec = value.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
            guard spec.count == 2, let start = Int(spec[0]), let end = Int(spec[1]) else { return nil }
            return (start, end)
        }

        func respond(context: ChannelHandlerContext) {
            var body = server.payload[...]
            var status = HTTPResponseStatus.ok
            if let (start, end) = range {
                body = server.payload[start...min(end, server.payload.count - 1)]
                status = .partialContent
            }
            switch server.behaviour() {
            case .silence:
                return
            case .status(let code, let errorCode):
                let document = Array("<Error><Code>\(errorCode)</Code><Message>scripted</Message><RequestId>REQ\(code)</RequestId></Error>".utf8)
                write(context, HTTPResponseStatus(statusCode: code), document[...], close: false)
            case .serve:
                write(context, status, body, close: false)
            case .cutBody:
                var headers = HTTPHeaders()
                headers.add(name: "content-length", value: String(body.count))
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                let half = body.prefix(body.count / 2)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: half)))), promise: nil)
                context.close(promise: nil)
            }
        }

        func write(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ body: ArraySlice<UInt8>, close: Bool) {
            var headers = HTTPHeaders()
            headers.add(name: "content-length", value: String(body.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
