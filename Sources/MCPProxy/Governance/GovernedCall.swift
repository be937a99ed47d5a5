import JSONRPC

/// A forwarded request as an ``AsyncCallGate`` or a ``ResultGuard`` sees it: plain values taken
/// from the scanned message and the routing decision, built only when one of them is configured
/// and matches the request's method.
public struct GovernedCall: Sendable {
    /// The JSON-RPC method, e.g. `tools/call`.
    public var method: String
    /// `params.name` as the client sent it (the exposed tool or prompt name), if any.
    public var name: String?
    /// The tool's own name at its upstream (namespacing and renames undone), for `tools/call`.
    public var tool: String?
    /// The upstream the request was routed to.
    public var upstream: String
    /// `params.arguments` as raw JSON, as the client sent it (or as a gate rewrote it); nil when absent.
    public var arguments: [UInt8]?
    /// Who is calling.
    public var principal: Principal
    /// The client session, as logs name it (its transport's name).
    public var session: String
    /// The path of the virtual endpoint the session was opened on; nil for the proxy's main path.
    public var endpoint: String?

    /// Creates a call description.
    public init(method: String, name: String?, tool: String?, upstream: String, arguments: [UInt8]?,
                principal: Principal, session: String, endpoint: String?) {
        self.method = method
        self.name = name
        self.tool = tool
        self.upstream = upstream
        self.arguments = arguments
        self.principal = principal
        self.session = session
        self.endpoint = endpoint
    }
}

/// What the proxy's governance steps (the external policy hook, the result guards) decided about
/// one request, in the order they decided it: short phrases such as `hook=allow`,
/// `hook=deny: <reason>` or `redacted=jwt:1`. Kept in the request's context attachments, so the
/// access log writes them in its `policy` field.
public struct GovernanceNotes: Sendable, Equatable {
    /// The decisions, oldest first.
    public var entries: [String] = []

    /// No decision yet.
    public init() {}

    /// The entries joined for a log line.
    public var summary: String { entries.joined(separator: "; ") }
}

extension MCPAttachments {
    /// Appends `note` to the request's ``GovernanceNotes``.
    mutating func addGovernanceNote(_ note: String?) {
        guard let note, !note.isEmpty else { return }
        var notes = self[GovernanceNotes.self] ?? GovernanceNotes()
        notes.entries.append(note)
        self[GovernanceNotes.self] = notes
    }
}
