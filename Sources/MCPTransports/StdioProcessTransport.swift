import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An upstream MCP server run as a child process, spoken to over its stdin and stdout.
///
/// The child holds only fds 0, 1 and 2, runs in its own process group, is confined by the
/// configuration's ``ProcessSandbox`` and, by default, dies with the proxy (`PR_SET_PDEATHSIG`).
/// Its stderr is drained continuously into the log, tagged with the upstream's name. `close()`
/// closes stdin, waits, then sends SIGTERM and finally SIGKILL to the group; once the child has
/// exited, what is left of its group gets SIGKILL. When the child exits on its own, the sink
/// hears `.processExited`.
public final class StdioProcessTransport: MessageTransport {
    public let name: String
    /// What is run.
    public let configuration: StdioProcessConfiguration

    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

    private struct State {
        var process: ChildProcess?
        var channel: (any Channel)? {
            didSet { writer = channel.map(FramedWriter.init(channel:)) }
        }
        /// Writes frames to `channel`, many per flush under load.
        var writer: FramedWriter?
        var sink: (any MessageSink)?
        var exitStatus: Int32?
        var closing = false
        var reported = false
    }

    /// Completed with the exit status once the child has exited and its output is delivered.
    private let exitPromise: EventLoopPromise<Int32>

    /// Creates a transport; nothing runs until `start`.
    public init(
        name: String,
        configuration: StdioProcessConfiguration,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.name = name
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "upstream"] = "\(name)"
        self.logger = logger
        self.group = eventLoopGroup
        self.exitPromise = eventLoopGroup.next().makePromise(of: Int32.self)
    }

    deinit {
        // A transport that never started (or failed to) still completes its promise; NIO ignores
        // a second completion, and a leaked promise would trip NIO's leak check.
        exitPromise.succeed(-1)
    }

    /// The child's process id while it runs.
    public var processID: Int32? {
        state.withLockedValue { $0.process?.pid }
    }

    public func start(sink: any MessageSink) async throws(TransportError) {
        let environment = configuration.effectiveEnvironment(parent: ProcessInfo.processInfo.environment)
        let process = try ChildProcess.spawn(configuration, environment: environment)
        logger.info("started upstream process", metadata: ["pid": "\(process.pid)", "command": "\(configuration.command)"])
        state.withLockedValue {
            $0.process = process
            $0.sink = sink
        }
        let maxLine = configuration.maxLineBytes
        do {
            let channel = try await NIOPipeBootstrap(group: group)
                .channelOption(.allowRemoteHalfClosure, value: false)
                .channelInitializer { [state] channel in
                    // Known before the first read: a sink may answer the very first message.
                    state.withLockedValue { $0.channel = channel }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLineBytes: maxLine)))
                        try channel.pipeline.syncOperations.addHandler(FrameDeliveryHandler(sink: sink) { [weak self] _ in
                            self?.standardOutputClosed()
                        })
                    }
                }
                .takingOwnershipOfDescriptors(input: process.stdoutReader, output: process.stdinWriter)
                .get()
            state.withLockedValue { $0.channel = channel }
            try await drainStandardError(of: process)
        } catch {
            process.signalGroup(SIGKILL)
            process.reapInBackground()
            throw TransportError("cannot attach to the pipes of '\(configuration.command)': \(error)")
        }
        let thread = Thread { [self] in
            let status = process.waitForExit()
            self.processDidExit(status: status)
        }
        thread.name = "mcp-proxy wait \(name)"
        thread.start()
    }

    @discardableResult
    public func send(_ message: ByteBuffer) -> Bool {
        guard let writer = state.withLockedValue({ $0.closing ? nil : $0.writer }), writer.channel.isActive else {
            return false
        }
        writer.write(message)
        return true
    }

    public func close() async {
        let (channel, process, alreadyExited) = state.withLockedValue { state -> ((any Channel)?, ChildProcess?, Bool) in
            state.closing = true
            return (state.channel, state.process, state.exitStatus != nil)
        }
        guard let process, !alreadyExited else { return }
        // 1. Close the child's stdin: a well-behaved server exits on EOF.
        if let channel {
            try? await channel.close(mode: .output)
        }
        if await waitForExit(within: configuration.shutdownGrace) { return }
        // 2. SIGTERM to the whole group.
        logger.notice("upstream did not exit after stdin closed; sending SIGTERM")
        process.signalGroup(SIGTERM)
        if await waitForExit(within: configuration.shutdownGrace) { return }
        // 3. SIGKILL.
        logger.warning("upstream ignored SIGTERM; sending SIGKILL")
        process.signalGroup(SIGKILL)
        _ = await waitForExit(within: .seconds(5))
    }

    /// Waits until the child has exited or the time is up; returns whether it exited.
    private func waitForExit(within limit: Duration) async -> Bool {
        let exited = exitPromise.futureResult
        let loop = exited.eventLoop
        let outcome = loop.makePromise(of: Bool.self)
        let decided = NIOLockedValueBox(false)
        let complete: @Sendable (Bool) -> Void = { value in
            let first = decided.withLockedValue { done -> Bool in
                defer { done = true }
                return !done
            }
            if first { outcome.succeed(value) }
        }
        let timer = loop.scheduleTask(in: .nanoseconds(Int64(limit.components.seconds) * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000)) {
            complete(false)
        }
        exited.whenComplete { _ in
            timer.cancel()
            complete(true)
        }
        return (try? await outcome.futureResult.get()) ?? false
    }

    private func processDidExit(status: Int32) {
        let (channel, closing) = state.withLockedValue { state -> ((any Channel)?, Bool) in
            state.exitStatus = status
            return (state.channel, state.closing)
        }
        if closing {
            logger.info("upstream process exited", metadata: ["status": "\(status)"])
        } else {
            logger.error("upstream process exited unexpectedly: \(TransportCloseReason.processExited(status: status))")
        }
        // Let the reader deliver what the child wrote before it died, then report once.
        let finish: @Sendable () -> Void = { [self] in
            self.reportClosed(closing ? .closedLocally : .processExited(status: status))
            self.exitPromise.succeed(status)
        }
        guard let channel else {
            finish()
            return
        }
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        channel.closeFuture.whenComplete { _ in
            timeout.cancel()
            finish()
        }
    }

    /// The child closed its stdout. If it keeps running without a way to answer, end it.
    private func standardOutputClosed() {
        let (process, expected) = state.withLockedValue { ($0.process, $0.closing || $0.exitStatus != nil) }
        guard let process, !expected else { return }
        Task { [self] in
            if await self.waitForExit(within: self.configuration.shutdownGrace) { return }
            self.logger.warning("upstream closed its stdout but keeps running; stopping it")
            process.signalGroup(SIGTERM)
            if await self.waitForExit(within: self.configuration.shutdownGrace) { return }
            process.signalGroup(SIGKILL)
        }
    }

    private func reportClosed(_ reason: TransportCloseReason) {
        let sink = state.withLockedValue { state -> (any MessageSink)? in
            guard !state.reported else { return nil }
            state.reported = true
            return state.sink
        }
        sink?.transportClosed(reason)
    }

    private func drainStandardError(of process: ChildProcess) async throws {
        let logger = self.logger
        _ = try await NIOPipeBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLineBytes: 64 << 10)))
                    try channel.pipeline.syncOperations.addHandler(StandardErrorLogHandler(logger: logger))
                }
            }
            .takingOwnershipOfDescriptor(input: process.stderrReader)
            .get()
    }
}
