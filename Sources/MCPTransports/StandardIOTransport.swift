import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The proxy's own stdin and stdout, as a desktop client that spawned it sees them.
///
/// On start, the real stdout is taken for MCP and file descriptor 1 is pointed at stderr, so a
/// stray `print` from any library lands in the log instead of corrupting the JSON-RPC stream.
public final class StandardIOTransport: MessageTransport {
    public let name: String
    private let maxLineBytes: Int
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox<State>(State())

    private struct State {
        var channel: (any Channel)? {
            didSet { writer = channel.map(FramedWriter.init(channel:)) }
        }
        /// Writes frames to `channel`, many per flush under load.
        var writer: FramedWriter?
        var sink: (any MessageSink)?
        var reported = false
    }

    /// Creates the transport; nothing is read until `start`.
    public init(name: String = "stdio", maxLineBytes: Int = 16 << 20, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.name = name
        self.maxLineBytes = maxLineBytes
        self.group = eventLoopGroup
    }

    public func start(sink: any MessageSink) async throws(TransportError) {
        // Close-on-exec copies: upstream children must not inherit the client's pipes.
        let input = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
        let output = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)
        guard input >= 0, output >= 0 else {
            throw TransportError("cannot duplicate stdin/stdout: \(String(cString: strerror(errno)))")
        }
        // Nothing but MCP may reach the real stdout: send fd 1 to stderr from now on.
        _ = dup2(STDERR_FILENO, STDOUT_FILENO)
        state.withLockedValue { $0.sink = sink }
        let maxLine = maxLineBytes
        do {
            let channel = try await NIOPipeBootstrap(group: group)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .channelInitializer { [state] channel in
                    // Known before the first read: a sink may answer the very first message.
                    state.withLockedValue { $0.channel = channel }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLineBytes: maxLine)))
                        try channel.pipeline.syncOperations.addHandler(FrameDeliveryHandler(sink: sink) { [weak self] reason in
                            self?.report(reason)
                        })
                        try channel.pipeline.syncOperations.addHandler(HalfClosureHandler { [weak self] in
                            self?.report(.endOfStream)
                        })
                    }
                }
                .takingOwnershipOfDescriptors(input: input, output: output)
                .get()
            state.withLockedValue { $0.channel = channel }
        } catch {
            throw TransportError("cannot use stdin/stdout for MCP: \(error). stdin must be a pipe or terminal, not a regular file")
        }
    }

    @discardableResult
    public func send(_ message: ByteBuffer) -> Bool {
        guard let writer = state.withLockedValue({ $0.writer }), writer.channel.isActive else { return false }
        writer.write(message)
        return true
    }

    public func close() async {
        guard let channel = state.withLockedValue({ $0.channel }) else { return }
        try? await channel.close()
    }

    private func report(_ reason: TransportCloseReason) {
        let sink = state.withLockedValue { state -> (any MessageSink)? in
            guard !state.reported else { return nil }
            state.reported = true
            return state.sink
        }
        sink?.transportClosed(reason)
    }
}

/// Turns "the client closed our stdin" into an end-of-stream report while stdout stays writable,
/// so responses to requests already in flight can still be written.
final class HalfClosureHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let onInputClosed: @Sendable () -> Void

    init(onInputClosed: @escaping @Sendable () -> Void) {
        self.onInputClosed = onInputClosed
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            onInputClosed()
        }
        context.fireUserInboundEventTriggered(event)
    }
}
