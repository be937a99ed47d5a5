import JSONRPC
import Logging
import NIOConcurrencyHelpers

/// What checking one upstream endpoint found: its handshake, what it lists, how long the
/// handshake took, or what went wrong. ``UpstreamDefinition/check(replica:options:timeout:logger:)``
/// makes it; `mcp-proxy check` prints it.
public struct UpstreamCheckReport: Sendable, Equatable {
    /// The upstream's configured name.
    public var upstream: String
    /// Which of its endpoints: 0 for its own transport, 1 and up for its replicas.
    public var replica: Int
    /// The protocol version the upstream chose in `initialize`; nil when the handshake failed.
    public var protocolVersion: String?
    /// Its `serverInfo.name`; nil when the handshake failed.
    public var serverName: String?
    /// Its `serverInfo.version`; nil when the handshake failed.
    public var serverVersion: String?
    /// How many tools it lists (every page); nil when it does not offer tools or the list failed.
    public var tools: Int?
    /// How many prompts it lists; nil when it does not offer prompts or the list failed.
    public var prompts: Int?
    /// How many resources it lists; nil when it does not offer resources or the list failed.
    public var resources: Int?
    /// How many resource templates it lists; nil when it does not offer resources or the list failed.
    public var resourceTemplates: Int?
    /// From starting the transport (spawning the child, or connecting) to the `initialize`
    /// result; nil when the handshake failed.
    public var handshake: Duration?
    /// What went wrong; nil when the upstream started, completed its handshake and answered
    /// every list it offers.
    public var problem: String?

    /// Whether the upstream is fine.
    public var isHealthy: Bool { problem == nil }

    /// An empty report for `upstream` (nothing learned yet).
    public init(upstream: String, replica: Int = 0) {
        self.upstream = upstream
        self.replica = replica
    }
}

extension UpstreamDefinition {
    /// Starts one of this upstream's endpoints on its own (outside any proxy, pool or breaker),
    /// completes the `initialize` handshake as the proxy would (declaring no client
    /// capabilities), lists its tools, prompts, resources and resource templates following every
    /// page, and stops it again: a stdio child is closed and reaped before this returns.
    ///
    /// - Parameters:
    ///   - replica: 0 for the definition's own transport, 1 and up for its replicas.
    ///   - options: the proxy's options: the client name and version it introduces itself with,
    ///     the protocol versions it accepts, and the message limits.
    ///   - timeout: the time the whole check may take; what is not done by then is a problem.
    ///   - logger: where the connection logs (a stdio child's stderr goes there too).
    public func check(replica: Int = 0, options: ProxyOptions = ProxyOptions(), timeout: Duration, logger: Logger) async -> UpstreamCheckReport {
        let connection = UpstreamConnection(
            definition: self, index: 0, replica: replica, scanner: JSONRPCScanner(limits: options.scanLimits), logger: logger)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let progress = NIOLockedValueBox(CheckProgress(report: UpstreamCheckReport(upstream: name, replica: replica)))
        let handshake = UpstreamHandshake.make(capabilities: [:], title: "mcp-proxy check", options: options)
        let report = await withCheckedContinuation { (continuation: CheckedContinuation<UpstreamCheckReport, Never>) in
            progress.withLockedValue { $0.continuation = continuation }
            // The probe's requests get a little longer than the deadline, so that this watchdog
            // answers first and says what was still missing (it also covers a transport whose
            // start never finishes, such as a connection attempt that hangs).
            Task {
                try? await Task.sleep(until: deadline, clock: clock)
                progress.withLockedValue { $0.finish(timedOut: timeout) }
            }
            Task {
                await Self.probe(connection, handshake: handshake, progress: progress, requestDeadline: deadline + .milliseconds(500))
                progress.withLockedValue { $0.finish(timedOut: nil) }
            }
        }
        await connection.shutdown()
        return report
    }

    /// What a check has found so far, and who waits for it.
    struct CheckProgress: Sendable {
        var report: UpstreamCheckReport
        /// What the check waits for now (for the timeout's message).
        var step = "the transport to start"
        var continuation: CheckedContinuation<UpstreamCheckReport, Never>?

        /// Hands the report over, once; `timedOut` says the deadline passed first.
        mutating func finish(timedOut timeout: Duration?) {
            guard let continuation else { return }
            self.continuation = nil
            var result = report
            if let timeout {
                result.problem = "timed out after \(UpstreamDefinition.seconds(timeout)) waiting for \(step)"
            }
            continuation.resume(returning: result)
        }
    }

    private static func probe(
        _ connection: UpstreamConnection, handshake: UpstreamHandshake, progress: NIOLockedValueBox<CheckProgress>,
        requestDeadline: ContinuousClock.Instant
    ) async {
        let clock = ContinuousClock()
        let start = clock.now
        if case .failure(let error) = await connection.launch() {
            progress.withLockedValue { $0.report.problem = error.message }
            return
        }
        progress.withLockedValue { $0.step = "the answer to initialize" }
        let result: InitializeResult
        switch await connection.ensureReady(handshake: handshake, timeout: requestDeadline - clock.now) {
        case .failure(let error):
            progress.withLockedValue { $0.report.problem = error.message }
            return
        case .success(let value):
            result = value
        }
        let elapsed = clock.now - start
        let kinds = ListKind.allCases.filter { $0.isOffered(by: result.capabilities) }
        progress.withLockedValue { progress in
            progress.report.handshake = elapsed
            progress.report.protocolVersion = result.protocolVersion
            progress.report.serverName = result.serverInfo.name
            progress.report.serverVersion = result.serverInfo.version
            progress.step = "the answers to " + kinds.map(\.method).joined(separator: ", ")
        }

        let counts = await withTaskGroup(of: (ListKind, Result<Int, UpstreamError>).self) { group in
            for kind in kinds {
                group.addTask { (kind, await count(kind, on: connection, deadline: requestDeadline)) }
            }
            var counts: [ListKind: Result<Int, UpstreamError>] = [:]
            for await (kind, count) in group { counts[kind] = count }
            return counts
        }
        progress.withLockedValue { progress in
            var problems: [String] = []
            for kind in ListKind.allCases {
                guard let outcome = counts[kind] else { continue }
                switch outcome {
                case .success(let count):
                    switch kind {
                    case .tools: progress.report.tools = count
                    case .prompts: progress.report.prompts = count
                    case .resources: progress.report.resources = count
                    case .resourceTemplates: progress.report.resourceTemplates = count
                    }
                case .failure(let error):
                    problems.append(error.message)
                }
            }
            if !problems.isEmpty { progress.report.problem = problems.joined(separator: "; ") }
        }
    }

    /// Counts the items of one list over all its pages.
    private static func count(_ kind: ListKind, on connection: UpstreamConnection, deadline: ContinuousClock.Instant) async -> Result<Int, UpstreamError> {
        let maxPages = 1000
        var total = 0
        var cursor: String?
        var seen: Set<String> = []
        for _ in 0..<maxPages {
            let params: [UInt8]? = cursor.map { Array(#"{"cursor":"#.utf8) + JSONString.encode($0) + [UInt8(ascii: "}")] }
            let remaining = max(deadline - ContinuousClock().now, .milliseconds(1))
            let response: JSONRPCMessage
            switch await connection.request(method: kind.method, params: params, timeout: remaining) {
            case .failure(let error): return .failure(error)
            case .success(let message): response = message
            }
            guard let range = response.envelope.resultRange,
                  let items = JSONView(message: response, range: range)[kind.resultKey], items.kind == .array
            else {
                return .failure(UpstreamError(.protocolViolation, upstream: connection.name, message: "\(kind.method) answered without a \(kind.resultKey) array"))
            }
            total += items.elements.count
            cursor = JSONView(message: response, range: range)["nextCursor"]?.string
            guard let next = cursor else { return .success(total) }
            guard seen.insert(next).inserted else {
                return .failure(UpstreamError(.protocolViolation, upstream: connection.name, message: "\(kind.method) returned the cursor '\(next)' twice (its pagination loops)"))
            }
        }
        return .failure(UpstreamError(.protocolViolation, upstream: connection.name, message: "\(kind.method) returned more than \(maxPages) pages"))
    }

    /// "15 s", "1.5 s".
    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
