import AsyncHTTPClient
import JSONRPC
import Logging
import MCPRouting
import MCPSecurity
import MCPStats
import NIOCore

/// The external policy hook (`proxy.policyHook`): POSTs each matching request to a policy
/// service and forwards, rewrites or refuses it as the service answers; with `response`, it
/// also POSTs each result before it goes to the client, and the service may withhold or
/// replace it.
///
/// Requests go through one shared AsyncHTTPClient (by default the process-wide
/// `HTTPClient.shared`), so connections to the hook are pooled and kept alive. What goes over
/// the wire is described in `Documentation/Governance.md` (``PolicyHookWire``).
public final class PolicyHookClient: AsyncCallGate, Sendable {
    /// What the hook is and how it is asked.
    public struct Configuration: Sendable {
        /// The URL each decision is POSTed to.
        public var url: String
        /// Globs on the JSON-RPC methods of the requests the hook is asked about.
        public var methods: [String]
        /// How long the proxy waits for an answer.
        public var timeout: Duration
        /// On a timeout or error: true forwards the request (or the result) as if allowed, false refuses it.
        public var failOpen: Bool
        /// Also ask about results (phase `response`).
        public var response: Bool

        /// Creates a configuration; the defaults are those of `proxy.policyHook`.
        public init(url: String, methods: [String] = ["tools/call"], timeout: Duration = .milliseconds(200),
                    failOpen: Bool = false, response: Bool = false) {
            self.url = url
            self.methods = methods
            self.timeout = timeout
            self.failOpen = failOpen
            self.response = response
        }
    }

    /// Largest answer read from the hook (a replaced result can be large).
    public static let maxAnswerBytes = 16 << 20

    /// The configuration it was made with.
    public let configuration: Configuration
    private let patterns: [GlobPattern]
    /// `methods` is exactly `["tools/call"]` (the default): a comparison instead of a glob match.
    private let toolsCallOnly: Bool
    private let client: HTTPClient
    private let logger: Logger
    private let decisions: [String: Counter]

    /// Creates the hook client; throws when a method glob is invalid.
    public init(_ configuration: Configuration, client: HTTPClient = .shared, stats: StatsRegistry, logger: Logger) throws(GlobPatternError) {
        self.configuration = configuration
        var patterns: [GlobPattern] = []
        for method in configuration.methods { patterns.append(try GlobPattern(method)) }
        self.patterns = patterns
        self.toolsCallOnly = configuration.methods == ["tools/call"]
        self.client = client
        self.logger = logger
        var decisions: [String: Counter] = [:]
        for phase in ["request", "response"] {
            for decision in ["allow", "deny", "rewrite", "replace", "error_allowed", "error_denied"] {
                decisions[phase + "/" + decision] = stats.counter(
                    "mcp_proxy_policy_hook_decisions_total", help: "Decisions of the external policy hook, by phase and decision",
                    labels: ["phase": phase, "decision": decision])
            }
        }
        self.decisions = decisions
    }

    /// Whether requests of `method` are asked about.
    public func applies(to method: MCPMethod) -> Bool {
        if toolsCallOnly { return method == .toolsCall }
        let name = method.name
        return patterns.contains { $0.matches(name) }
    }

    /// Whether results of `method` are asked about (`response: true` and a matching method).
    public func reviewsResults(of method: MCPMethod) -> Bool {
        configuration.response && applies(to: method)
    }

    /// Asks the hook about a request (phase `request`).
    public func admit(_ call: GovernedCall) async -> CallGateDecision {
        let body = PolicyHookWire.requestBody(phase: "request", call: call, result: nil)
        switch await ask(body) {
        case .success(let answer):
            switch answer.decision {
            case .allow:
                if let arguments = answer.replacement {
                    count("request/rewrite")
                    return .rewrite(arguments: arguments, note: "hook=rewrite" + answer.reasonSuffix)
                }
                count("request/allow")
                return .allow(note: "hook=allow" + answer.reasonSuffix)
            case .deny:
                count("request/deny")
                return .deny(Self.denial(answer.reason, phase: "request"), note: "hook=deny" + answer.reasonSuffix)
            }
        case .failure(let error):
            return failed(error, phase: "request").map { .deny($0, note: "hook=error(denied): \(error.description)") }
                ?? .allow(note: "hook=error(failOpen): \(error.description)")
        }
    }

    /// Asks the hook about a result (phase `response`).
    public func review(_ result: [UInt8], of call: GovernedCall) async -> ResultDecision {
        let body = PolicyHookWire.requestBody(phase: "response", call: call, result: result)
        switch await ask(body, expecting: "result") {
        case .success(let answer):
            switch answer.decision {
            case .allow:
                if let replacement = answer.replacement {
                    count("response/replace")
                    return .replace(result: replacement, note: "hook.response=replace" + answer.reasonSuffix)
                }
                count("response/allow")
                return .pass(note: "hook.response=allow" + answer.reasonSuffix)
            case .deny:
                count("response/deny")
                return .refuse(Self.denial(answer.reason, phase: "response"), note: "hook.response=deny" + answer.reasonSuffix)
            }
        case .failure(let error):
            return failed(error, phase: "response").map { .refuse($0, note: "hook.response=error(denied): \(error.description)") }
                ?? .pass(note: "hook.response=error(failOpen): \(error.description)")
        }
    }

    // MARK: Asking

    private func ask(_ body: [UInt8], expecting replacementKey: String = "arguments") async -> Result<PolicyHookWire.Answer, PolicyHookError> {
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let deadline = NIODeadline.now() + .nanoseconds(Int64(clamping: configuration.timeout.nanoseconds))
        let bytes: [UInt8]
        do {
            let response = try await client.execute(request, deadline: deadline)
            guard (200..<300).contains(response.status.code) else {
                return .failure(PolicyHookError("it answered HTTP \(response.status.code)"))
            }
            let collected = try await response.body.collect(upTo: Self.maxAnswerBytes)
            bytes = Array(collected.readableBytesView)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .failure(PolicyHookError("it did not answer within \(configuration.timeout.milliseconds) ms (timeoutMs)"))
        } catch {
            return .failure(PolicyHookError("cannot reach it at \(configuration.url): \(error)"))
        }
        return PolicyHookWire.parseAnswer(bytes, replacementKey: replacementKey)
    }

    /// The refusal for a failed hook, or nil when `failOpen` lets the request through.
    private func failed(_ error: PolicyHookError, phase: String) -> MCPRefusal? {
        logger.warning("policy hook failed", metadata: ["phase": "\(phase)", "error": "\(error.description)", "failOpen": "\(configuration.failOpen)"])
        if configuration.failOpen {
            count(phase + "/error_allowed")
            return nil
        }
        count(phase + "/error_denied")
        var data: [UInt8] = Array(#"{"reason":"policyHookUnavailable","detail":"#.utf8)
        JSONString.append(error.description, to: &data)
        data.append(UInt8(ascii: "}"))
        let what = phase == "request" ? "the request is denied" : "the result is withheld"
        return MCPRefusal(code: .accessDenied,
                          message: "The policy hook failed (\(error.description)) and proxy.policyHook.failOpen is false, so \(what); try again, or ask the operator to check the hook",
                          data: data, reason: "policyHookUnavailable")
    }

    /// The refusal for a hook's `deny`.
    static func denial(_ reason: String?, phase: String) -> MCPRefusal {
        let text = reason.flatMap { $0.isEmpty ? nil : $0 } ?? "no reason given"
        let label = phase == "request" ? "policyHook" : "policyHookResponse"
        var data: [UInt8] = Array(#"{"reason":"#.utf8)
        JSONString.append(label, to: &data)
        data += Array(#","phase":"#.utf8)
        JSONString.append(phase, to: &data)
        data += Array(#","detail":"#.utf8)
        JSONString.append(text, to: &data)
        data.append(UInt8(ascii: "}"))
        let message = phase == "request" ? "Denied by the policy hook: \(text)" : "The result was withheld by the policy hook: \(text)"
        return MCPRefusal(code: .accessDenied, message: message, data: data, reason: label)
    }

    private func count(_ key: String) {
        decisions[key]?.increment()
    }
}

/// Why the policy hook gave no usable answer.
public struct PolicyHookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, worded to follow "the policy hook failed: ".
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension Duration {
    /// The duration in nanoseconds, clamped to Int64.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue &+ attoseconds / 1_000_000_000
    }

    /// Whole milliseconds, for messages.
    var milliseconds: Int64 { nanoseconds / 1_000_000 }
}
