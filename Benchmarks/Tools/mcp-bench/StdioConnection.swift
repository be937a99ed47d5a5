import JSONRPC
import NIOCore
import NIOPosix

/// A stdio target: a child process spoken to over its stdin and stdout, newline-delimited.
/// Any number of requests may be in flight at once (their ids tell the answers apart).
final class StdioConnection: RPCConnection, ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: every mutable property is touched only on `eventLoop`.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let process: ChildProcess
    let eventLoop: any EventLoop
    let window: Int
    private let scanner = JSONRPCScanner()
    private var channel: (any Channel)?
    private var waiting: [Int64: (RPCOutcome) -> Void] = [:]
    private var broken: String?
    private static let newline = ByteBuffer(integer: UInt8(ascii: "\n"))

    private init(process: ChildProcess, eventLoop: any EventLoop, window: Int) {
        self.process = process
        self.eventLoop = eventLoop
        self.window = window
    }

    /// Starts the command and attaches to its pipes.
    static func start(command: String, arguments: [String], window: Int, silenceStderr: Bool, maxLineBytes: Int,
                      on eventLoop: any EventLoop) async throws -> StdioConnection {
        let process = try ChildProcess.spawn(command: command, arguments: arguments, silenceStderr: silenceStderr)
        let connection = StdioConnection(process: process, eventLoop: eventLoop, window: window)
        let channel = try await NIOPipeBootstrap(group: eventLoop)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(NewlineFrameDecoder(maxLineBytes: maxLineBytes)))
                    try channel.pipeline.syncOperations.addHandler(connection)
                }
            }
            .takingOwnershipOfDescriptors(input: process.readFD, output: process.writeFD)
            .get()
        try await eventLoop.submit { connection.channel = channel }.get()
        return connection
    }

    func send(_ message: ByteBuffer, id: Int64?, completion: @escaping (RPCOutcome) -> Void) {
        if let broken {
            completion(.failure(broken))
            return
        }
        guard let channel else {
            completion(.failure("not connected"))
            return
        }
        if let id { waiting[id] = completion }
        channel.write(message, promise: nil)
        channel.writeAndFlush(Self.newline, promise: nil)
        if id == nil { completion(.accepted) }
    }

    func close() -> EventLoopFuture<Void> {
        guard let channel else { return eventLoop.makeSucceededVoidFuture() }
        return channel.close().recover { _ in }
    }

    // MARK: ChannelInboundHandler

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        guard line.readableBytes > 0 else { return }
        let message: JSONRPCMessage
        do {
            message = try scanner.scanMessage(line)
        } catch {
            fail("the target wrote something that is not a JSON-RPC message: \(error.message)")
            return
        }
        switch message.envelope.kind {
        case .successResponse, .errorResponse:
            guard case .number(let id)? = message.envelope.id, let completion = waiting.removeValue(forKey: id) else { return }
            completion(.response(message))
        case .request:
            answerServerRequest(message, context: context)
        case .notification:
            break
        }
    }

    /// Pings get `{}`; anything else the target asks is refused (the bench offers no capabilities).
    private func answerServerRequest(_ message: JSONRPCMessage, context: ChannelHandlerContext) {
        guard let idBytes = message.idBytes else { return }
        let answer = message.envelope.method == .ping
            ? JSONRPCEncoder.result(idBytes: idBytes, result: Array("{}".utf8))
            : JSONRPCEncoder.errorResponse(idBytes: idBytes, code: .methodNotFound, message: "mcp-bench offers no client features")
        context.write(wrapOutboundOut(answer), promise: nil)
        context.writeAndFlush(wrapOutboundOut(Self.newline), promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            fail("the target closed its stdout (it exited?)")
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail("the pipes to the target were closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("I/O error with the target: \(error)")
        context.close(promise: nil)
    }

    private func fail(_ reason: String) {
        if broken == nil { broken = reason }
        let pending = waiting
        waiting.removeAll()
        for (_, completion) in pending.sorted(by: { $0.key < $1.key }) { completion(.failure(reason)) }
    }
}
