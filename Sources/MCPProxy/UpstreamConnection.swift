import JSONRPC
import Logging
import MCPTransports
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// One live connection to an upstream MCP server: its handshake, its id space and the requests
/// waiting for it. Ids sent upstream are the proxy's own integers; clients' ids never reach it.
final class UpstreamConnection: MessageSink, @unchecked Sendable {
    // @unchecked: `events` is set once before the transport starts and only read afterwards.

    let definition: UpstreamDefinition
    /// Position in the proxy's upstream list (config order, which is also collision priority).
    let index: Int
    var name: String { definition.name }
    /// Which of the definition's transports (0: the primary, then its replicas).
    let replica: Int
    private let makeTransport: @Sendable () -> any MessageTransport

    let logger: Logger
    let scanner: JSONRPCScanner
    let state = NIOLockedValueBox(State())
    /// The envelope the proxy puts on its requests when the upstream speaks 2026-07-28; nil
    /// for the handshake era (UpstreamConnection+ModernEra.swift).
    let modernEnvelope = NIOLockedValueBox<ModernRequestEnvelope.Values?>(nil)
    /// Whether ``modernEnvelope`` is set, read without a lock on every forwarded request.
    let speaksModern = Atomic<Bool>(false)
    /// Requests forwarded to a 2026-07-28 upstream as sent, by upstream id, until answered: an
    /// `input_required` answer for a handshake-era client is bridged and the request sent again.
    let sentModern = NIOLockedValueBox<[Int64: ByteBuffer]>([:])
    private(set) weak var events: (any UpstreamEvents)?

    enum Phase: Sendable {
        case idle
        case starting
        case ready(InitializeResult)
        case stopped(UpstreamError)
    }

    enum Pending {
        case forwarded(ForwardedRequest)
        case local(CheckedContinuation<Result<JSONRPCMessage, UpstreamError>, Never>)
    }

    struct State {
        var phase: Phase = .idle
        var transport: (any MessageTransport)?
        var nextID: Int64 = 1
        var pending: [Int64: Pending] = [:]
        var readiness: Task<Result<InitializeResult, UpstreamError>, Never>?
        var launch: Task<Result<Void, UpstreamError>, Never>?
        var everReady = false
        var closedByProxy = false
    }

    init(definition: UpstreamDefinition, index: Int, replica: Int = 0, scanner: JSONRPCScanner, logger: Logger) {
        self.definition = definition
        self.index = index
        self.replica = replica
        let factories = definition.transportFactories
        self.makeTransport = factories[safe: replica] ?? definition.makeTransport
        self.scanner = scanner
        var logger = logger
        logger[metadataKey: "upstream"] = "\(definition.name)"
        if replica > 0 { logger[metadataKey: "replica"] = "\(replica)" }
        self.logger = logger
    }

    func attach(_ events: any UpstreamEvents) {
        self.events = events
    }

    var phase: Phase { state.withLockedValue { $0.phase } }

    /// The upstream's initialize result once it is ready.
    var initializeResult: InitializeResult? {
        if case .ready(let result) = phase { return result }
        return nil
    }

    var isReady: Bool { initializeResult != nil }

    /// Whether it ever completed its handshake (also after it stopped).
    var everReady: Bool { state.withLockedValue { $0.everReady } }

    /// Whether the proxy closed it on purpose (``shutdown()``).
    var closedByProxy: Bool { state.withLockedValue { $0.closedByProxy } }

    /// The child's process id, for a stdio upstream that is running.
    var processID: Int32? {
        (state.withLockedValue { $0.transport } as? StdioProcessTransport)?.processID
    }

    // MARK: Starting

    /// Starts the transport (spawns the process) without the handshake. Safe to call repeatedly.
    func launch() async -> Result<Void, UpstreamError> {
        let task = state.withLockedValue { state -> Task<Result<Void, UpstreamError>, Never> in
            if let launch = state.launch { return launch }
            let transport = makeTransport()
            state.transport = transport
            if case .idle = state.phase { state.phase = .starting }
            let task = Task { [self] () -> Result<Void, UpstreamError> in
                do throws(TransportError) {
                    try await transport.start(sink: self)
                    return .success(())
                } catch {
                    let failure = UpstreamError(.unavailable, upstream: name, message: "failed to start: \(error.message)")
                    self.stop(failure)
                    return .failure(failure)
                }
            }
            state.launch = task
            return task
        }
        return await task.value
    }

    /// Starts the upstream if needed and performs the handshake once; later callers share the result.
    func ensureReady(handshake: UpstreamHandshake, timeout: Duration) async -> Result<InitializeResult, UpstreamError> {
        let task = state.withLockedValue { state -> Task<Result<InitializeResult, UpstreamError>, Never> in
            if let readiness = state.readiness { return readiness }
            let task = Task { [self] in await self.performHandshake(handshake, timeout: timeout) }
            state.readiness = task
            return task
        }
        return await task.value
    }

    private func performHandshake(_ handshake: UpstreamHandshake, timeout: Duration) async -> Result<InitializeResult, UpstreamError> {
        if case .stopped(let error) = phase { return .failure(error) }
        if case .failure(let error) = await launch() { return .failure(error) }
        switch await probeEra(handshake, timeout: timeout) {
        case .handshake:
            break
        case .modern(let result):
            return becomeReady(result)
        case .failed(let error):
            stop(error)
            await closeTransport()
            return .failure(error)
        }
        let response: JSONRPCMessage
        switch await request(method: "initialize", params: handshake.initializeParams, timeout: timeout) {
        case .failure(let error):
            forgetEraVerdict()
            let failure = UpstreamError(error.kind, upstream: name, message: "initialize failed: \(error.message)")
            stop(failure)
            await closeTransport()
            return .failure(failure)
        case .success(let message):
            response = message
        }
        guard let resultRange = response.envelope.resultRange,
              let result = InitializeResult.decode(from: JSONView(message: response, range: resultRange))
        else {
            let failure = UpstreamError(.protocolViolation, upstream: name, message: "its initialize result is not valid (missing protocolVersion, capabilities or serverInfo)")
            stop(failure)
            await closeTransport()
            return .failure(failure)
        }
        let version = ProtocolVersion(rawValue: result.protocolVersion)
        guard handshake.supportedVersions.contains(version) else {
            let failure = UpstreamError(.protocolViolation, upstream: name, message: "it answered with protocol version \(result.protocolVersion), which the proxy does not speak (supported: \(handshake.supportedVersions.map(\.rawValue).joined(separator: ", ")))")
            stop(failure)
            await closeTransport()
            return .failure(failure)
        }
        send(JSONRPCEncoder.notification(method: "notifications/initialized", params: nil))
        return becomeReady(result)
    }

    /// The handshake (or the 2026-07-28 probe) succeeded: the upstream takes requests.
    private func becomeReady(_ result: InitializeResult) -> Result<InitializeResult, UpstreamError> {
        let ready = state.withLockedValue { state -> Bool in
            if case .stopped = state.phase { return false }
            state.phase = .ready(result)
            state.everReady = true
            return true
        }
        guard ready else {
            return .failure(UpstreamError(.unavailable, upstream: name, message: "stopped during the handshake"))
        }
        logger.info("upstream ready", metadata: [
            "server": "\(result.serverInfo.name) \(result.serverInfo.version)",
            "protocol": "\(result.protocolVersion)",
        ])
        return .success(result)
    }

    // MARK: Requests of the proxy's own (handshake, lists, setLevel)

    /// Sends a request of the proxy's own and waits for its response (an error response is
    /// returned as `.remote`, or as the reply itself with `errorReplies`).
    func request(method: String, params: [UInt8]?, timeout: Duration, errorReplies: Bool = false) async -> Result<JSONRPCMessage, UpstreamError> {
        let (method, params) = modernized(method: method, params: params)
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Result<JSONRPCMessage, UpstreamError>, Never>) in
            let registered = state.withLockedValue { state -> (Int64, (any MessageTransport)?)? in
                if case .stopped = state.phase { return nil }
                let id = state.nextID
                state.nextID += 1
                state.pending[id] = .local(continuation)
                return (id, state.transport)
            }
            guard let (id, transport) = registered, let transport else {
                continuation.resume(returning: .failure(stoppedError()))
                return
            }
            let message = JSONRPCEncoder.request(idBytes: JSONRPCID.number(id).jsonBytes, method: method, params: params)
            logger.trace("to upstream", metadata: ["method": "\(method)", "id": "\(id)"])
            if !transport.send(message) {
                resumeLocal(id, with: .failure(stoppedError()))
                return
            }
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.resumeLocal(id, with: .failure(UpstreamError(.timeout, upstream: self?.name ?? "?", message: "no answer to \(method) within \(timeout)")))
            }
        }
        guard case .success(let message) = outcome, !errorReplies else { return outcome }
        if message.envelope.kind == .errorResponse {
            let code = message.envelope.errorCode ?? JSONRPCErrorCode.internalError.rawValue
            let text = message.envelope.errorRange.flatMap { JSONView(message: message, range: $0)["message"]?.string } ?? "error"
            return .failure(UpstreamError(.remote(code: code), upstream: name, message: "\(method) failed: \(text) (\(code))"))
        }
        return outcome
    }

    private func resumeLocal(_ id: Int64, with result: Result<JSONRPCMessage, UpstreamError>) {
        let entry = state.withLockedValue { $0.pending.removeValue(forKey: id) }
        if case .local(let continuation) = entry {
            continuation.resume(returning: result)
        } else if let entry {
            state.withLockedValue { $0.pending[id] = entry }
        }
    }

    func stoppedError() -> UpstreamError {
        state.withLockedValue { state in
            if case .stopped(let error) = state.phase { return error }
            return UpstreamError(.unavailable, upstream: name, message: "is not running")
        }
    }

    // MARK: Forwarding client traffic

    /// Reserves an upstream id for a forwarded request.
    func reserveID() -> Int64? {
        state.withLockedValue { state in
            guard case .ready = state.phase else { return nil }
            let id = state.nextID
            state.nextID += 1
            return id
        }
    }

    /// Remembers `request` under `id` and writes `bytes` (already carrying that id).
    /// Returns false (and remembers nothing) when the upstream cannot take it.
    func forward(_ bytes: ByteBuffer, id: Int64, request: ForwardedRequest) -> Bool {
        let bytes = speaksModern.load(ordering: .relaxed) ? modernized(forwarded: bytes, id: id, for: request) : bytes
        let transport = state.withLockedValue { state -> (any MessageTransport)? in
            guard case .ready = state.phase, let transport = state.transport else { return nil }
            state.pending[id] = .forwarded(request)
            return transport
        }
        guard let transport else { return false }
        if transport.send(bytes) { return true }
        state.withLockedValue { _ = $0.pending.removeValue(forKey: id) }
        return false
    }

    /// Forgets a forwarded request (the client cancelled it); a late response will be dropped.
    func abandon(_ id: Int64) -> ForwardedRequest? {
        _ = takeSent(id)
        let entry = state.withLockedValue { $0.pending.removeValue(forKey: id) }
        if case .forwarded(let request) = entry { return request }
        if let entry { state.withLockedValue { $0.pending[id] = entry } }
        return nil
    }

    /// Removes and returns forwarded requests whose deadline has passed.
    func expire(now: UInt64) -> [(Int64, ForwardedRequest)] {
        state.withLockedValue { state in
            var expired: [(Int64, ForwardedRequest)] = []
            for (id, entry) in state.pending {
                if case .forwarded(let request) = entry, request.deadline <= now {
                    expired.append((id, request))
                }
            }
            for (id, _) in expired { state.pending.removeValue(forKey: id) }
            if speaksModern.load(ordering: .relaxed) { sentModern.withLockedValue { for (id, _) in expired { $0.removeValue(forKey: id) } } }
            return expired
        }
    }

    /// Writes a message as is (notifications and responses to the upstream's own requests).
    @discardableResult
    func send(_ bytes: ByteBuffer) -> Bool {
        guard let transport = state.withLockedValue({ $0.transport }) else { return false }
        return transport.send(bytes)
    }

    // MARK: Stopping

    /// Marks the upstream stopped and fails everything waiting on it, exactly once.
    func stop(_ error: UpstreamError) {
        let drained = state.withLockedValue { state -> [Int64: Pending]? in
            if case .stopped = state.phase { return nil }
            state.phase = .stopped(error)
            defer { state.pending.removeAll() }
            return state.pending
        }
        guard let drained else { return }
        sentModern.withLockedValue { $0.removeAll() }
        var abandoned: [ForwardedRequest] = []
        for (_, entry) in drained.sorted(by: { $0.key < $1.key }) {
            switch entry {
            case .forwarded(let request): abandoned.append(request)
            case .local(let continuation): continuation.resume(returning: .failure(error))
            }
        }
        if !abandoned.isEmpty {
            var byOwner: [ObjectIdentifier: [ForwardedRequest]] = [:]
            for request in abandoned { byOwner[ObjectIdentifier(request.owner), default: []].append(request) }
            for requests in byOwner.values {
                requests[0].owner.upstream(self, abandoned: requests, error: error)
            }
        }
        events?.upstreamStopped(self, error: error)
    }

    /// Forgets a stopped incarnation so that the next `ensureReady` starts a fresh transport.
    /// Returns false unless the upstream is stopped.
    func reset() -> Bool {
        state.withLockedValue { state in
            guard case .stopped = state.phase else { return false }
            state.phase = .idle
            state.transport = nil
            state.launch = nil
            state.readiness = nil
            return true
        }
    }

    /// Stops and closes the transport gracefully (the proxy's own decision: idle, drain, a failed
    /// health check; not a failure of the upstream's).
    func shutdown() async {
        state.withLockedValue { $0.closedByProxy = true }
        stop(UpstreamError(.unavailable, upstream: name, message: "was shut down by the proxy"))
        await closeTransport()
    }

    /// Closes the transport and lets go of it (it holds this connection as its sink).
    private func closeTransport() async {
        let transport = state.withLockedValue { state -> (any MessageTransport)? in
            defer { state.transport = nil }
            return state.transport
        }
        await transport?.close()
    }
}
