// The member names the envelope scanner (EnvelopeScan.swift) recognises, and the fields it
// tracks for duplicate detection.

/// The envelope members and extracted keys the scanner tracks, one bit each for duplicate detection.
enum EnvelopeField: UInt32 {
    case jsonrpc, id, method, params, result, error
    case name, uri, meta, metaProgressToken, requestId, ref, refName, refURI, progressToken
    case errorCode, errorMessage

    var bit: UInt32 { 1 << rawValue }

    /// The member's path, for error messages.
    var path: String {
        switch self {
        case .jsonrpc: return "jsonrpc"
        case .id: return "id"
        case .method: return "method"
        case .params: return "params"
        case .result: return "result"
        case .error: return "error"
        case .name: return "params.name"
        case .uri: return "params.uri"
        case .meta: return "params._meta"
        case .metaProgressToken: return "params._meta.progressToken"
        case .requestId: return "params.requestId"
        case .ref: return "params.ref"
        case .refName: return "params.ref.name"
        case .refURI: return "params.ref.uri"
        case .progressToken: return "params.progressToken"
        case .errorCode: return "error.code"
        case .errorMessage: return "error.message"
        }
    }
}

/// Top-level member names.
enum TopKey {
    case jsonrpc, id, method, params, result, error, other
}

/// `params._meta` member names the scanner looks at.
enum MetaKey {
    case progressToken, protocolVersion, other
}

/// `params` member names the scanner extracts.
enum ParamsKey {
    case name, uri, meta, requestId, ref, progressToken, other
}
