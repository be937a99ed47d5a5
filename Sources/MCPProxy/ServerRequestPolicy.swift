import JSONRPC
import MCPSecurity
import MCPStats
import NIOCore

/// ``ServerRequestRules`` resolved against the proxy's upstreams once, when the proxy is built:
/// for each upstream (by index) the rule that applies to it, if any. Nil for a proxy without
/// rules, so no path pays for the feature when it is not configured.
struct ServerRequestPolicy: Sendable {
    let rules: [ServerRequestRules.Rule]
    /// By upstream index: the index of its rule in `rules`.
    let ruleOfUpstream: [Int?]
    /// Whether some rule has a rate (sessions then keep buckets).
    let hasRates: Bool

    /// Nil when no rule matches any upstream.
    init?(_ rules: ServerRequestRules, upstreams: [String]) {
        let resolved = upstreams.map { rules.ruleIndex(for: $0) }
        guard resolved.contains(where: { $0 != nil }) else { return nil }
        self.rules = rules.rules
        self.ruleOfUpstream = resolved
        self.hasRates = resolved.contains { index in index.flatMap { rules.rules[$0].rate } != nil }
    }

    /// The rule of upstream `index`, with its position.
    func rule(upstream index: Int) -> (index: Int, rule: ServerRequestRules.Rule)? {
        guard index >= 0, index < ruleOfUpstream.count, let position = ruleOfUpstream[index] else { return nil }
        return (position, rules[position])
    }

    /// Whether upstream `index` may not ask for `kind`.
    func denies(_ kind: ServerRequestKind, upstream index: Int) -> Bool {
        rule(upstream: index)?.rule.denied.contains(kind) ?? false
    }

    /// The client capabilities the proxy does not declare to upstream `index` (its denied kinds).
    func withheldCapabilities(upstream index: Int) -> [String] {
        guard let denied = rule(upstream: index)?.rule.denied else { return [] }
        return ServerRequestKind.allCases.filter { denied.contains($0) }.map(\.capability)
    }
}

/// What becomes of one server-initiated request.
enum ServerRequestDecision: Sendable, Equatable {
    /// Relay it, with these edits (the `maxTokens` clamp; empty when nothing changes).
    case relay([ByteSplice])
    /// Answer the upstream with this error; the client never sees the request.
    case refuse(ServerRequestRefusal)
}

/// A refusal: the JSON-RPC error the upstream gets, and how it is counted.
struct ServerRequestRefusal: Sendable, Equatable {
    let code: JSONRPCErrorCode
    let message: String
    let data: [UInt8]
    /// `denied` or `rateLimited` (the counter's `reason` label).
    let reason: String
    let kind: ServerRequestKind
}

/// One client session's view of the policy: the rules, and a token bucket per rule for the
/// requests sent to this client. Exists only when the proxy has rules.
final class ServerRequestGate: Sendable {
    let policy: ServerRequestPolicy
    /// Keyed by rule index; nil when no rule has a rate.
    private let buckets: TokenBucketTable<Int>?

    init(policy: ServerRequestPolicy) {
        self.policy = policy
        self.buckets = policy.hasRates ? TokenBucketTable<Int>(maxEntries: Swift.max(policy.rules.count, 1)) : nil
    }

    /// Decides a request `method` from upstream `index` (named `name`): denied kinds and requests
    /// over the rule's rate are refused; a sampling request asking for more than
    /// `maxSamplingTokens` is relayed with `params.maxTokens` lowered. Methods that are not
    /// sampling, elicitation or roots, and upstreams without a rule, are relayed untouched.
    func decide(_ method: MCPMethod, message: JSONRPCMessage, upstream index: Int, name: String, now: UInt64) -> ServerRequestDecision {
        guard let kind = ServerRequestKind(method: method), let (position, rule) = policy.rule(upstream: index) else { return .relay([]) }
        if rule.denied.contains(kind) {
            var data = Array(#"{"reason":"serverRequestDenied","policy":"proxy.serverRequests","upstream":"#.utf8)
            data += JSONString.encode(name)
            data += Array(#","kind":"#.utf8) + JSONString.encode(kind.rawValue) + [UInt8(ascii: "}")]
            return .refuse(ServerRequestRefusal(
                code: .accessDenied,
                message: "\(kind.title) (\(kind.methodName)) is not allowed for upstream '\(name)' by proxy.serverRequests",
                data: data, reason: "denied", kind: kind))
        }
        if let limit = rule.rate, let buckets, let wait = buckets.acquire(position, limit: limit, now: now) {
            let milliseconds = Swift.max(1, (wait + 999_999) / 1_000_000)
            var data = Array(#"{"reason":"serverRequestRateLimited","policy":"proxy.serverRequests","upstream":"#.utf8)
            data += JSONString.encode(name)
            data += Array(#","kind":"#.utf8) + JSONString.encode(kind.rawValue)
            data += Array(#","retryAfterMs":\#(milliseconds)}"#.utf8)
            return .refuse(ServerRequestRefusal(
                code: .rateLimited,
                message: "Too many requests to the client from upstream '\(name)' (proxy.serverRequests allows \(limit) per client session); retry in \(milliseconds) ms",
                data: data, reason: "rateLimited", kind: kind))
        }
        if kind == .sampling, let maximum = rule.maxSamplingTokens, let clamp = Self.clampMaxTokens(message, to: maximum) {
            return .relay([clamp])
        }
        return .relay([])
    }

    /// The edit that lowers `params.maxTokens` to `maximum`, when it is a number above it.
    static func clampMaxTokens(_ message: JSONRPCMessage, to maximum: Int) -> ByteSplice? {
        guard let paramsRange = message.envelope.paramsRange,
              let value = JSONView(message: message, range: paramsRange)["maxTokens"], value.kind == .number else { return nil }
        let larger: Bool
        if let integer = value.int64 {
            larger = integer > Int64(maximum)
        } else if let number = value.double {
            larger = number > Double(maximum)
        } else {
            larger = false
        }
        guard larger else { return nil }
        return ByteSplice(range: value.range, replacement: Array(String(maximum).utf8))
    }

    /// Counts a refusal in `mcp_proxy_server_requests_refused_total{upstream,kind,reason}`.
    static func count(_ refusal: ServerRequestRefusal, upstream: String, stats: StatsRegistry) {
        stats.counter("mcp_proxy_server_requests_refused_total",
                      help: "Requests from upstreams to clients (sampling, elicitation, roots) refused by proxy.serverRequests, by upstream, kind and reason",
                      labels: ["upstream": upstream, "kind": refusal.kind.rawValue, "reason": refusal.reason]).increment()
    }
}

extension UpstreamHandshake {
    /// The same `initialize` without the client capabilities `keys` (those the policy denies);
    /// `self` when there is nothing to take out. Runs once per upstream session opened.
    func withholding(_ keys: [String]) -> UpstreamHandshake {
        guard !keys.isEmpty,
              let root = try? JSONView.parse(ByteBuffer(bytes: initializeParams)),
              let capabilities = root["capabilities"], capabilities.kind == .object,
              capabilities.members.contains(where: { keys.contains($0.key) }) else { return self }
        var kept: [UInt8] = [UInt8(ascii: "{")]
        for member in capabilities.members where !keys.contains(member.key) {
            if kept.count > 1 { kept.append(UInt8(ascii: ",")) }
            JSONString.append(member.key, to: &kept)
            kept.append(UInt8(ascii: ":"))
            kept += member.value.rawBytes
        }
        kept.append(UInt8(ascii: "}"))
        guard let params = JSONObjectEditor.setting("capabilities", to: kept, in: root) else { return self }
        return UpstreamHandshake(initializeParams: params, supportedVersions: supportedVersions)
    }
}
