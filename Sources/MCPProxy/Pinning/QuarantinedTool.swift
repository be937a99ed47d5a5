import JSONRPC
import MCPSecurity

/// A tool that pinning withholds (`mode: enforce`): not in the merged `tools/list`, and a call
/// to it is refused with -32003 and `data.reason: "toolDefinitionChanged"`.
struct QuarantinedTool: Sendable {
    /// The upstream that lists it.
    let upstream: String
    /// Its name there.
    let original: String
    /// Its name at `/mcp` (at a virtual endpoint: its name there).
    var exposed: String
    /// Its fingerprint as listed now.
    let current: ToolFingerprint
    /// Its approved fingerprint; nil for a new tool waiting for approval (`onNew: quarantine`).
    let pinned: ToolFingerprint?

    /// The refusal's `error.message`.
    var message: String {
        if let pinned {
            return "Tool '\(exposed)' is quarantined: upstream '\(upstream)' changed its definition since it was approved (pinned \(pinned.short), now \(current.short)). An operator must review and approve it (mcp-proxy pins list / pins approve)"
        }
        return "Tool '\(exposed)' is quarantined: upstream '\(upstream)' lists it, but it has not been approved yet (onNew: quarantine). An operator must review and approve it (mcp-proxy pins list / pins approve)"
    }

    /// The refusal's `error.data`: `reason`, `tool`, `upstream`, `upstreamTool`, `state`
    /// (`changed` or `new`), `pinned` and `current` fingerprints.
    var data: [UInt8] {
        var object: [String: JSONValue] = [
            "reason": "toolDefinitionChanged",
            "tool": .string(exposed),
            "upstream": .string(upstream),
            "upstreamTool": .string(original),
            "state": pinned == nil ? "new" : "changed",
            "current": .string(current.value),
        ]
        if let pinned { object["pinned"] = .string(pinned.value) }
        return JSONValue.object(object).encoded
    }
}
