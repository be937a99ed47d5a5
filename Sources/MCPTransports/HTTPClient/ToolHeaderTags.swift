import NIOConcurrencyHelpers

/// The `x-mcp-header` tags of one 2026-07-28 upstream's tools, by tool name, as its `tools/list`
/// results gave them: which arguments of a `tools/call` go into `Mcp-Param-*` headers. Shared by
/// all connections to that upstream, so a call on a connection that never listed tools still
/// carries them. Empty (and never touched) for handshake-era upstreams.
final class ToolHeaderTags: Sendable {
    private let tags = NIOLockedValueBox<[String: XMCPHeaderAnnotations]>([:])

    /// The tags of `tool`; nil when it has none (or was never listed).
    subscript(tool: String) -> XMCPHeaderAnnotations? {
        tags.withLockedValue { $0[tool] }
    }

    /// Records one list page: each of `names` gets its valid tags from `scan`, or loses any it had.
    func update(names: [String], from scan: XMCPHeaderToolScan) {
        tags.withLockedValue { tags in
            for name in names { tags[name] = scan.annotated[name] }
        }
    }
}
