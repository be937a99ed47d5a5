import AsyncHTTPClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// An upstream MCP server reached over WebSocket (`ws://` or `wss://`, subprotocol `mcp`).
///
/// `start` connects, upgrades (with the configured headers and `Sec-WebSocket-Protocol: mcp`) and
/// returns once the server switched protocols. Each message travels as one masked text frame;
/// fragmented messages from the server are joined; pings are answered. A close frame or a lost
/// connection ends the transport (`.endOfStream`, or `.failed` on a protocol error such as a
/// message over `maxMessageBytes`); `close` sends a close frame and waits briefly for the answer.
public final class WebSocketClientTransport: MessageTransport {
    /// The upstream's configured name, for logs and errors.
    public let name: String
    /// Where and how the server is reached.
    public let configuration: RemoteUpstreamConfiguration

    private let logger: Logger
    private let gate = SinkGate()
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

    private struct State {
        var started = false
        var closing = false
        var channel: (any Channel)?
    }

    private enum UpgradeResult: Sendable {
        case upgraded(any Channel, subprotocol: String?)
        case notUpgraded
    }

    /// Creates a transport; nothing happens until `start`.
    ///
    /// - Parameter httpClient: only its event loop group is used (WebSocket connections do not go
    ///   through the HTTP client); by default NIO's shared group.
    public init(name: String, configuration: RemoteUpstreamConfiguration, logger: Logger, httpClient: HTTPClient? = nil) {
        self.name = name
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "upstream"] = "\(name)"
        self.logger = logger
        self.group = httpClient?.eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
    }

    /// Connects (TLS for wss) and returns once the server accepted the WebSocket upgrade.
    public func start(sink: any MessageSink) async throws(TransportError) {
        let url = try RemoteURL(parsing: configuration.url)
        guard url.scheme == "ws" || url.scheme == "wss" else {
            throw TransportError("upstream '\(name)': '\(configuration.url)' is not a ws:// or wss:// URL; the WebSocket transport needs one")
        }
        var sslContext: NIOSSLContext?
        if url.isSecure {
            let tls = try configuration.tls?.makeTLSConfiguration() ?? TLSConfiguration.makeClientConfiguration()
            do {
                sslContext = try NIOSSLContext(configuration: tls)
            } catch {
                throw TransportError("upstream '\(name)': cannot set up TLS: \(error); check the tls settings")
            }
        }
        let fresh = state.withLockedValue { state -> Bool in
            guard !state.started, !state.closing else { return false }
            state.started = true
            return true
        }
        guard fresh else {
            throw TransportError("upstream '\(name)': this transport was already started or closed; make a new one for each connection")
        }
        gate.attach(sink)
        let result: UpgradeResult
        do {
            result = try await connect(to: url, sslContext: sslContext).get()
        } catch {
            throw TransportError("upstream '\(name)': the WebSocket connection to \(configuration.url) failed: \(error)")
        }
        switch result {
        case .notUpgraded:
            throw TransportError("upstream '\(name)': \(configuration.url) did not accept the WebSocket upgrade; check the URL path and that the server speaks WebSocket")
        case .upgraded(let channel, let subprotocol):
            if subprotocol?.lowercased() != "mcp" {
                logger.notice("the server did not confirm the 'mcp' WebSocket subprotocol", metadata: ["subprotocol": "\(subprotocol ?? "none")"])
            }
            let closedMeanwhile = state.withLockedValue { state -> Bool in
                state.channel = channel
                return state.closing
            }
            if closedMeanwhile { channel.close(promise: nil) }
            logger.debug("WebSocket upstream connected", metadata: ["url": "\(configuration.url)"])
        }
    }

    /// Connects and configures the upgrade; the future tells whether the server switched protocols.
    private func connect(to url: RemoteURL, sslContext: NIOSSLContext?) async throws -> EventLoopFuture<UpgradeResult> {
        let head = upgradeRequestHead(for: url)
        let gate = self.gate
        let maxBytes = min(max(configuration.maxMessageBytes, 1), Int(UInt32.max))
        let connectTimeout = TimeAmount(configuration.connectTimeout)
        let closingLocally: @Sendable () -> Bool = { [state] in state.withLockedValue { $0.closing } }
        let ended: @Sendable (TransportCloseReason) -> Void = { [weak self] reason in self?.connectionEnded(reason) }
        let serverHostname = Self.isIPAddress(url.host) ? nil : url.host
        return try await ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .connect(host: url.host, port: url.effectivePort) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                    }
                    let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(
                        maxFrameSize: maxBytes,
                        upgradePipelineHandler: { channel, response in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(NIOWebSocketFrameAggregator(
                                    minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 16, maxAccumulatedFrameSize: maxBytes))
                                try channel.pipeline.syncOperations.addHandler(WebSocketClientHandler(
                                    gate: gate, maxMessageBytes: maxBytes, closingLocally: closingLocally, ended: ended))
                                return .upgraded(channel, subprotocol: response.headers.first(name: "sec-websocket-protocol"))
                            }
                        })
                    var configuration = NIOUpgradableHTTPClientPipelineConfiguration(
                        upgradeConfiguration: NIOTypedHTTPClientUpgradeConfiguration(
                            upgradeRequestHead: head, upgraders: [upgrader],
                            notUpgradingCompletionHandler: { channel in
                                channel.close(promise: nil)
                                return channel.eventLoop.makeSucceededFuture(.notUpgraded)
                            }))
                    configuration.leftOverBytesStrategy = .forwardBytes
                    let upgraded = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
                    // A server that accepts the connection but never answers the upgrade.
                    let timer = channel.eventLoop.scheduleTask(in: connectTimeout) { channel.close(promise: nil) }
                    upgraded.whenComplete { _ in timer.cancel() }
                    return upgraded
                }
            }
    }

    private func upgradeRequestHead(for url: RemoteURL) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.hostHeader)
        for (name, value) in configuration.headers {
            headers.replaceOrAdd(name: name, value: value)
        }
        headers.replaceOrAdd(name: "Sec-WebSocket-Protocol", value: "mcp")
        headers.replaceOrAdd(name: "Content-Length", value: "0")
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: url.pathAndQuery, headers: headers)
    }

    /// Whether `host` is an IPv4 or IPv6 literal (no SNI for those; the certificate is checked against the address).
    static func isIPAddress(_ host: String) -> Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) <= 255
        }
    }

    /// Writes one message as a masked text frame. False before `start`, after `close` and after the
    /// connection ended.
    @discardableResult
    public func send(_ message: ByteBuffer) -> Bool {
        guard let channel = state.withLockedValue({ $0.closing ? nil : $0.channel }), channel.isActive else { return false }
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: message), promise: nil)
        return true
    }

    /// Sends a close frame, waits up to 2 s for the server's, then reports `.closedLocally` (unless
    /// the end of the connection was reported already).
    public func close() async {
        let channel = state.withLockedValue { state -> (any Channel)?? in
            guard !state.closing else { return .none }
            state.closing = true
            return .some(state.channel)
        }
        guard case .some(let channel) = channel else { return }
        if let channel, channel.isActive {
            var payload = channel.allocator.buffer(capacity: 2)
            payload.write(webSocketErrorCode: .normalClosure)
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: payload)
            // Wait for the server's close frame (the handler then closes), but not for long.
            let timer = channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
            channel.writeAndFlush(frame, promise: nil)
            try? await channel.closeFuture.get()
            timer.cancel()
        }
        gate.close(.closedLocally)
    }

    private func connectionEnded(_ reason: TransportCloseReason) {
        guard !state.withLockedValue({ $0.closing }) else { return }
        switch reason {
        case .endOfStream: logger.error("the server closed the WebSocket connection")
        default: logger.error("the WebSocket connection ended: \(reason)")
        }
        gate.close(reason)
    }
}
