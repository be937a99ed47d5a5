import Foundation
import JSONRPC

extension InitializeParams {
    /// Decodes initialize params (off the hot path: once per session).
    static func decode(from view: JSONView) -> InitializeParams? {
        try? JSONDecoder().decode(InitializeParams.self, from: Data(view.rawBytes))
    }
}

extension InitializeResult {
    /// Decodes an upstream's initialize result (once per upstream).
    static func decode(from view: JSONView) -> InitializeResult? {
        try? JSONDecoder().decode(InitializeResult.self, from: Data(view.rawBytes))
    }
}
