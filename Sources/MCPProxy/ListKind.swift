import JSONRPC
import MCPSecurity

/// The four paginated lists a proxy merges.
enum ListKind: CaseIterable, Sendable, Hashable {
    case tools, prompts, resources, resourceTemplates

    /// The list method.
    var method: String {
        switch self {
        case .tools: return "tools/list"
        case .prompts: return "prompts/list"
        case .resources: return "resources/list"
        case .resourceTemplates: return "resources/templates/list"
        }
    }

    /// The array's key in the result.
    var resultKey: String {
        switch self {
        case .tools: return "tools"
        case .prompts: return "prompts"
        case .resources: return "resources"
        case .resourceTemplates: return "resourceTemplates"
        }
    }

    /// The field that identifies an item.
    var keyField: String {
        switch self {
        case .tools, .prompts: return "name"
        case .resources: return "uri"
        case .resourceTemplates: return "uriTemplate"
        }
    }

    /// The method a call to one item uses (for route rules).
    var itemMethod: String {
        switch self {
        case .tools: return "tools/call"
        case .prompts: return "prompts/get"
        case .resources, .resourceTemplates: return "resources/read"
        }
    }

    /// The notification that says this list changed.
    var listChangedMethod: String {
        switch self {
        case .tools: return "notifications/tools/list_changed"
        case .prompts: return "notifications/prompts/list_changed"
        case .resources, .resourceTemplates: return "notifications/resources/list_changed"
        }
    }

    /// The kinds a list-changed notification invalidates.
    static func invalidated(by method: MCPMethod) -> [ListKind] {
        switch method {
        case .toolsListChanged: return [.tools]
        case .promptsListChanged: return [.prompts]
        case .resourcesListChanged: return [.resources, .resourceTemplates]
        default: return []
        }
    }

    /// Whether a server with these capabilities serves this list.
    func isOffered(by capabilities: ServerCapabilities) -> Bool {
        switch self {
        case .tools: return capabilities.tools
        case .prompts: return capabilities.prompts
        case .resources, .resourceTemplates: return capabilities.resources
        }
    }
}

/// One item of an upstream's list: its key and its exact JSON object bytes.
struct CatalogItem: Sendable, Equatable {
    /// The name or URI that identifies it upstream.
    let key: String
    /// The item object exactly as the upstream sent it.
    let bytes: [UInt8]
    /// Where the key's string token sits inside `bytes`.
    let keyRange: Range<Int>
    /// A tool whose annotations say `readOnlyHint` or `idempotentHint`: safe to send twice.
    var repeatable = false
    /// A tool's fingerprint, set where lists are fetched when pinning is on (``ToolPinning``).
    var fingerprint: ToolFingerprint?

    /// Reads the items of one list page.
    static func items(of result: JSONView, kind: ListKind) -> [CatalogItem]? {
        guard let array = result[kind.resultKey], array.kind == .array else { return nil }
        var items: [CatalogItem] = []
        for element in array.elements {
            guard element.kind == .object, let keyView = element[kind.keyField], let key = keyView.string else { continue }
            let base = element.range.lowerBound
            let annotations = kind == .tools ? element["annotations"] : nil
            items.append(CatalogItem(
                key: key,
                bytes: element.rawBytes,
                keyRange: (keyView.range.lowerBound - base)..<(keyView.range.upperBound - base),
                repeatable: annotations?["readOnlyHint"]?.bool == true || annotations?["idempotentHint"]?.bool == true))
        }
        return items
    }

    /// The item with its key replaced (every other byte unchanged).
    func renamed(to newKey: String) -> [UInt8] {
        guard newKey != key else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + newKey.utf8.count)
        result.append(contentsOf: bytes[..<keyRange.lowerBound])
        JSONString.append(newKey, to: &result)
        result.append(contentsOf: bytes[keyRange.upperBound...])
        return result
    }
}
