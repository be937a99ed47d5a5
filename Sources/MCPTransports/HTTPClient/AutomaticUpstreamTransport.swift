import AsyncHTTPClient
import JSONRPC
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Streamable HTTP with the specification's fallback to legacy HTTP+SSE: the first `initialize`
/// is POSTed as Streamable HTTP; when the server answers it with 400, 404 or 405, the transport
/// opens the legacy event stream on the same URL, sends that `initialize` there, and from then on
/// behaves as a legacy SSE client. Messages sent while the choice is open wait for it.
final class AutomaticUpstreamTransport: MessageTransport {
    /// The upstream's configured name, for logs and errors.
    let name: String
    /// Where and how the server is reached.
    let configuration: RemoteUpstreamConfiguration

    private let logger: Logger
    private let httpClient: HTTPClient?
    private let leanPools: LeanHTTPPools?
    private let gate = SinkGate()
    private let scanner = JSONRPCScanner()
    private let state = NIOLockedValueBox(State())

    private enum Phase {
        /// Nothing decided; `initialize` goes to the Streamable HTTP candidate.
        case probing(initializeInFlight: Bool)
        case streamable
        case switching
        case legacy
        case failed
    }

    private struct State {
        var phase = Phase.probing(initializeInFlight: false)
        var started = false
        var closing = false
        var streamable: StreamableHTTPClientTransport?
        var legacy: LegacySSEClientTransport?
        var queued: [ByteBuffer] = []
        var switching: Task<Void, Never>?
    }

    init(name: String, configuration: RemoteUpstreamConfiguration, logger: Logger, httpClient: HTTPClient?, leanPools: LeanHTTPPools? = nil) {
        self.name = name
        self.configuration = configuration
        self.logger = logger
        self.httpClient = httpClient
        self.leanPools = leanPools
    }

    /// Prepares the Streamable HTTP candidate; does no network I/O.
    func start(sink: any MessageSink) async throws(TransportError) {
        gate.attach(sink)
        let hooks = ProbeHooks(
            confirmed: { [weak self] in self?.decided(legacy: false) },
            rejected: { [weak self] initialize, status in self?.switchToLegacy(initialize: initialize, status: status) },
            failed: { [weak self] in self?.decided(legacy: nil) })
        let streamable = StreamableHTTPClientTransport(
            name: name, configuration: configuration, logger: logger, httpClient: httpClient, probe: hooks, leanPools: leanPools)
        let fresh = state.withLockedValue { state -> Bool in
            guard !state.started, !state.closing else { return false }
            state.started = true
            state.streamable = streamable
            return true
        }
        guard fresh else {
            throw TransportError("upstream '\(name)': this transport was already started or closed; make a new one for each connection")
        }
        try await streamable.start(sink: ForwardingSink(gate: gate) { [weak self] reason in
            self?.innerClosed(reason, legacy: false)
        })
    }

    /// Routes one message to the transport chosen, or holds it while the choice is open.
    @discardableResult
    func send(_ message: ByteBuffer) -> Bool {
        enum Route {
            case streamable(StreamableHTTPClientTransport)
            case legacy(LegacySSEClientTransport)
            case queued
            case refused
        }
        let route = state.withLockedValue { state -> Route in
            guard state.started, !state.closing else { return .refused }
            switch state.phase {
            case .probing(let inFlight):
                guard let streamable = state.streamable else { return .refused }
                if inFlight {
                    state.queued.append(message)
                    return .queued
                }
                if (try? scanner.scanMessage(message))?.envelope.method == .initialize {
                    state.phase = .probing(initializeInFlight: true)
                }
                return .streamable(streamable)
            case .streamable:
                return state.streamable.map(Route.streamable) ?? .refused
            case .switching:
                state.queued.append(message)
                return .queued
            case .legacy:
                return state.legacy.map(Route.legacy) ?? .refused
            case .failed:
                return .refused
            }
        }
        switch route {
        case .streamable(let transport): return transport.send(message)
        case .legacy(let transport): return transport.send(message)
        case .queued: return true
        case .refused: return false
        }
    }

    /// Streamable HTTP was confirmed (`legacy` false), or the probe failed without a decision (nil).
    private func decided(legacy: Bool?) {
        let (streamable, queued) = state.withLockedValue { state -> (StreamableHTTPClientTransport?, [ByteBuffer]) in
            guard case .probing = state.phase else { return (nil, []) }
            state.phase = legacy == false ? .streamable : .probing(initializeInFlight: false)
            defer { state.queued.removeAll() }
            return (state.streamable, state.queued)
        }
        if legacy == false {
            logger.info("upstream speaks Streamable HTTP")
        }
        guard let streamable else { return }
        for message in queued { streamable.send(message) }
    }

    private func switchToLegacy(initialize: ByteBuffer, status: Int) {
        state.withLockedValue { state in
            guard case .probing = state.phase, !state.closing else { return }
            state.phase = .switching
            let abandoned = state.streamable
            state.switching = Task { [self] in
                await abandoned?.close()
                await self.startLegacy(initialize: initialize, status: status)
            }
        }
    }

    private func startLegacy(initialize: ByteBuffer, status: Int) async {
        let legacy = LegacySSEClientTransport(name: name, configuration: configuration, logger: logger, httpClient: httpClient)
        do {
            try await legacy.start(sink: ForwardingSink(gate: gate) { [weak self] reason in
                self?.innerClosed(reason, legacy: true)
            })
        } catch {
            let (queued, closing) = state.withLockedValue { state -> ([ByteBuffer], Bool) in
                state.phase = .failed
                defer { state.queued.removeAll() }
                return (state.queued, state.closing)
            }
            guard !closing else { return }
            let reason = "upstream '\(name)': \(configuration.url) is not a Streamable HTTP endpoint (HTTP \(status) to initialize) and not a legacy SSE endpoint either (\(error.message))"
            logger.error("\(reason)")
            for message in [initialize] + queued {
                guard let scanned = try? scanner.scanMessage(message), scanned.envelope.kind == .request, let idBytes = scanned.idBytes else { continue }
                gate.deliver(.message(UpstreamFailure.response(idBytes: idBytes, message: reason)))
            }
            return
        }
        logger.info("upstream speaks the legacy HTTP+SSE transport")
        let closing = state.withLockedValue { state -> Bool in
            guard !state.closing else { return true }
            state.legacy = legacy
            state.phase = .legacy
            legacy.send(initialize)
            for message in state.queued { legacy.send(message) }
            state.queued.removeAll()
            return false
        }
        if closing { await legacy.close() }
    }

    /// An inner transport ended on its own: that ends this one, unless it was the abandoned candidate.
    private func innerClosed(_ reason: TransportCloseReason, legacy: Bool) {
        let forward = state.withLockedValue { state -> Bool in
            guard !state.closing else { return false }
            switch state.phase {
            case .legacy: return legacy
            case .streamable, .probing: return !legacy
            case .switching, .failed: return false
            }
        }
        if forward { gate.close(reason) }
    }

    /// Closes whichever transport is in use, then reports `.closedLocally`.
    func close() async {
        let parts = state.withLockedValue { state -> (Task<Void, Never>?, StreamableHTTPClientTransport?, LegacySSEClientTransport?)? in
            guard !state.closing else { return nil }
            state.closing = true
            state.queued.removeAll()
            return (state.switching, state.streamable, state.legacy)
        }
        guard let (switching, streamable, legacy) = parts else { return }
        switching?.cancel()
        await switching?.value
        await streamable?.close()
        await legacy?.close()
        // A legacy transport that started while closing was closed by the switch itself.
        gate.close(.closedLocally)
    }
}
