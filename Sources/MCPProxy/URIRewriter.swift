import JSONRPC

/// Finds the resource URIs in a result that must be shown in the proxy's URI namespace:
/// `contents[].uri` (resources/read), and `resource_link` / embedded `resource` blocks in
/// `content[]` (tools/call) and `messages[].content` (prompts/get).
enum URIRewriter {
    static func edits(inResult result: JSONView, exposed: (String) -> String) -> [ByteSplice] {
        var edits: [ByteSplice] = []
        func rewrite(_ view: JSONView?) {
            guard let view, let uri = view.string else { return }
            let replacement = exposed(uri)
            if replacement != uri {
                edits.append(ByteSplice(range: view.range, replacement: JSONString.encode(replacement)))
            }
        }
        func block(_ item: JSONView) {
            switch item["type"]?.string {
            case "resource_link"?: rewrite(item["uri"])
            case "resource"?: rewrite(item["resource"]?["uri"])
            default: break
            }
        }
        for item in result["contents"]?.elements ?? [] { rewrite(item["uri"]) }
        for item in result["content"]?.elements ?? [] { block(item) }
        for message in result["messages"]?.elements ?? [] {
            if let content = message["content"] {
                if content.kind == .array { content.elements.forEach(block) } else { block(content) }
            }
        }
        return edits
    }
}
