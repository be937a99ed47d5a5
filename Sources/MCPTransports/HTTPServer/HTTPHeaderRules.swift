/// Parsing of the few request headers the front checks: `Accept`, `Content-Type` and
/// `MCP-Protocol-Version`.
enum HTTPHeaderRules {
    /// What an `Accept` header allows among the two media types MCP answers with.
    struct Acceptance: Equatable {
        var json: Bool
        var eventStream: Bool
    }

    /// A missing header accepts anything (RFC 9110); `q=0` excludes a range.
    static func acceptance(_ header: String?) -> Acceptance {
        guard let header else { return Acceptance(json: true, eventStream: true) }
        // What MCP clients send, compared without splitting (this runs for every request).
        switch header {
        case "application/json, text/event-stream", "text/event-stream, application/json", "application/json,text/event-stream", "*/*":
            return Acceptance(json: true, eventStream: true)
        case "application/json":
            return Acceptance(json: true, eventStream: false)
        case "text/event-stream":
            return Acceptance(json: false, eventStream: true)
        default:
            break
        }
        guard !header.allSatisfy({ $0 == " " }) else { return Acceptance(json: true, eventStream: true) }
        var result = Acceptance(json: false, eventStream: false)
        for range in header.split(separator: ",") {
            let parts = range.split(separator: ";")
            guard let first = parts.first else { continue }
            let media = first.httpTrimmed.lowercased()
            let refused = parts.dropFirst().contains { parameter in
                let text = parameter.lowercased().filter { $0 != " " && $0 != "\t" }
                return text == "q=0" || text == "q=0.0" || text == "q=0.00" || text == "q=0.000"
            }
            if refused { continue }
            switch media {
            case "*/*":
                result = Acceptance(json: true, eventStream: true)
            case "application/*", "application/json":
                result.json = true
            case "text/*", "text/event-stream":
                result.eventStream = true
            default:
                break
            }
        }
        return result
    }

    /// True when the media type (parameters such as `charset` ignored) is `application/json`.
    static func isJSONContentType(_ header: String?) -> Bool {
        if header == "application/json" { return true }  // the common case, without splitting
        guard let header, let media = header.split(separator: ";").first else { return false }
        return media.httpTrimmed.lowercased() == "application/json"
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var httpTrimmed: Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
