import Foundation
import JSONRPC
import MCPProxy
import MCPTransports

/// The admin API's pinning requests (`proxy.pinning`):
///
/// | request | does |
/// |---|---|
/// | `GET /api/pins` | every tool the running proxy has listed, with its state against the pin file |
/// | `POST /api/pins/approve` | reads the pin file again, then approves the definitions the proxy has listed for every tool, one server's (`?server=NAME`) or one tool's (`?server=NAME&tool=TOOL`, or `?target=NAME/TOOL`; or a JSON body `{"server": ..., "tool": ...}`): writes the file, and quarantined tools return to the lists at once (clients get `list_changed`) |
///
/// `/admin/pins` and `/admin/pins/approve` are the same requests.
enum AdminPins {
    static func list(context: AdminContext) -> (status: Int, body: String) {
        guard let pinning = context.current?.aggregated.options.toolPinning else { return off() }
        let object = PinReportJSON.object(path: pinning.path, mode: pinning.mode, onNew: pinning.onNew, rows: pinning.report())
        return (200, String(decoding: object.encoded, as: UTF8.self))
    }

    static func approve(_ request: AdminRequest, context: AdminContext) -> (status: Int, body: String) {
        guard let pinning = context.current?.aggregated.options.toolPinning else { return off() }
        let selector: PinSelector
        switch self.selector(request) {
        case .success(let value): selector = value
        case .failure(let message): return (400, errorBody(message))
        }
        do {
            try pinning.reloadFile()
            let approved = try pinning.approve(selector)
            let object: JSONValue = .object([
                "approved": .array(approved.map { .string($0) }),
                "selector": .string(selector.description),
                "file": .string(pinning.path),
            ])
            return (200, String(decoding: object.encoded, as: UTF8.self))
        } catch {
            return (500, errorBody("\(error)"))
        }
    }

    enum Selection {
        case success(PinSelector)
        case failure(String)
    }

    /// The selector from the query (`target`, or `server` and `tool`) or a JSON body.
    static func selector(_ request: AdminRequest) -> Selection {
        let value: (String) -> String? = { name in
            AdminAPI.queryValue(name, in: request.query).map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? $0 }
        }
        if let target = value("target") { return .success(PinSelector(parsing: target)) }
        if let server = value("server") {
            return .success(PinSelector(server: server.isEmpty ? nil : server, tool: value("tool").flatMap { $0.isEmpty ? nil : $0 }))
        }
        let body = request.body.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard !body.isEmpty else { return .success(.all) }
        guard let parsed = try? JSONValue(parsing: Array(body)), case .object(let object) = parsed else {
            return .failure(#"the body must be a JSON object such as {"server": "tickets", "tool": "create_ticket"} (both optional)"#)
        }
        if let target = object["target"]?.stringValue { return .success(PinSelector(parsing: target)) }
        return .success(PinSelector(server: object["server"]?.stringValue, tool: object["tool"]?.stringValue))
    }

    private static func off() -> (status: Int, body: String) {
        (409, errorBody("tool pinning is off: set proxy.pinning with mode warn or enforce and a file (Documentation/Governance.md)"))
    }

    private static func errorBody(_ message: String) -> String {
        String(decoding: JSONValue.object(["error": .string(message)]).encoded, as: UTF8.self)
    }
}
