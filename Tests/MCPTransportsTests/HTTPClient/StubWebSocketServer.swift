import JSONRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// A scripted MCP server over WebSocket on 127.0.0.1 (path `/ws`). It accepts the upgrade with
/// subprotocol `mcp` when asked for it, pings the client right away (payload `hb`), and answers
/// every request with the stub response. `tools/call` of `fragmented` answers in two frames;
/// of `bye` answers and then closes the connection (close frame 1000).
final class StubWebSocketServer: Sendable {
    struct Frame: Sendable {
        var opcode: WebSocketOpcode
        var masked: Bool
        var text: String
    }

    private struct State {
        var upgradeHeads: [HTTPRequestHead] = []
        var frames: [Frame] = []
        var sentClose = false
    }

    let port: Int
    let scheme: String
    private let channel: any Channel
    private let state: NIOLockedValueBox<State>

    private init(port: Int, scheme: String, channel: any Channel, state: NIOLockedValueBox<State>) {
        self.port = port
        self.scheme = scheme
        self.channel = channel
        self.state = state
    }

    var url: String { "\(scheme)://127.0.0.1:\(port)/ws" }
    var upgradeHeads: [HTTPRequestHead] { state.withLockedValue { $0.upgradeHeads } }
    var frames: [Frame] { state.withLockedValue { $0.frames } }

    static func start(tls: NIOSSLContext? = nil) async throws -> StubWebSocketServer {
        let state = NIOLockedValueBox(State())
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 20,
                    shouldUpgrade: { channel, head in
                        state.withLockedValue { $0.upgradeHeads.append(head) }
                        var headers = HTTPHeaders()
                        if head.headers["sec-websocket-protocol"].contains(where: { $0.contains("mcp") }) {
                            headers.add(name: "Sec-WebSocket-Protocol", value: "mcp")
                        }
                        return channel.eventLoop.makeSucceededFuture(head.uri == "/ws" ? headers : nil)
                    },
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(StubWebSocketHandler(state: state))
                        }
                    })
                return channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return StubWebSocketServer(
            port: channel.localAddress?.port ?? 0, scheme: tls == nil ? "ws" : "wss", channel: channel, state: state)
    }

    func stop() async {
        try? await channel.close()
    }

    private final class StubWebSocketHandler: ChannelInboundHandler {
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame

        private let state: NIOLockedValueBox<State>

        init(state: NIOLockedValueBox<State>) {
            self.state = state
        }

        func handlerAdded(context: ChannelHandlerContext) {
            send(context, .ping, "hb")
        }

        private func send(_ context: ChannelHandlerContext, _ opcode: WebSocketOpcode, _ text: String, fin: Bool = true) {
            let frame = WebSocketFrame(fin: fin, opcode: opcode, data: context.channel.allocator.buffer(string: text))
            context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            let text = String(buffer: frame.unmaskedData)
            state.withLockedValue { $0.frames.append(Frame(opcode: frame.opcode, masked: frame.maskKey != nil, text: text)) }
            switch frame.opcode {
            case .text:
                guard let message = try? JSONRPCScanner().scanMessage(frame.unmaskedData),
                      message.envelope.kind == .request, let idBytes = message.idBytes
                else { return }
                let tool = message.envelope.name
                let response = StubMCPServer.response(
                    id: String(decoding: idBytes, as: UTF8.self), method: message.envelope.method?.name ?? "", tool: tool)
                switch tool {
                case "fragmented":
                    let middle = response.index(response.startIndex, offsetBy: response.count / 2)
                    send(context, .text, String(response[..<middle]), fin: false)
                    send(context, .continuation, String(response[middle...]))
                case "bye":
                    send(context, .text, response)
                    state.withLockedValue { $0.sentClose = true }
                    var code = context.channel.allocator.buffer(capacity: 2)
                    code.write(webSocketErrorCode: .normalClosure)
                    context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: code)), promise: nil)
                default:
                    send(context, .text, response)
                }
            case .connectionClose:
                let sentClose = state.withLockedValue { $0.sentClose }
                if sentClose {
                    context.close(promise: nil)
                } else {
                    let echo = WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)
                    let channel = context.channel
                    context.writeAndFlush(wrapOutboundOut(echo)).whenComplete { _ in channel.close(promise: nil) }
                }
            default:
                break
            }
        }
    }
}
