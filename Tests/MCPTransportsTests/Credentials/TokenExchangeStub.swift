import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
@testable import MCPTransports

/// A token endpoint (RFC 8693) on a real local socket: checks the grant and the client's Basic
/// credentials, and mints `minted-<subject token>-<n>`; or refuses, as the test says.
final class TokenExchangeStub: Sendable {
    enum Mode: Sendable {
        case mint(expiresIn: Int?)
        case refuse(status: HTTPResponseStatus, error: String)
        case hang
    }

    let http: StubHTTPServer
    private let state: NIOLockedValueBox<(mode: Mode, forms: [[String: String]], problems: [String], minted: Int)>

    private init(http: StubHTTPServer, state: NIOLockedValueBox<(mode: Mode, forms: [[String: String]], problems: [String], minted: Int)>) {
        self.http = http
        self.state = state
    }

    static func start(_ mode: Mode = .mint(expiresIn: 3600), clientID: String = "mcp-gateway", secret: String = "s3:cr&t") async throws -> TokenExchangeStub {
        let state = NIOLockedValueBox<(mode: Mode, forms: [[String: String]], problems: [String], minted: Int)>((mode, [], [], 0))
        let http = try await StubHTTPServer.start { request, responder in
            let form = Self.decodeForm(request.bodyText)
            var problems: [String] = []
            if request.method != .POST { problems.append("method \(request.method)") }
            if request.header("content-type") != "application/x-www-form-urlencoded" { problems.append("content-type") }
            let expected = "Basic " + Data((TokenExchangeClient.formEncode(clientID) + ":" + TokenExchangeClient.formEncode(secret)).utf8).base64EncodedString()
            if request.header("authorization") != expected { problems.append("basic auth: \(request.header("authorization") ?? "none")") }
            if form["grant_type"] != "urn:ietf:params:oauth:grant-type:token-exchange" { problems.append("grant_type") }
            if form["subject_token_type"] != "urn:ietf:params:oauth:token-type:access_token" { problems.append("subject_token_type") }
            if form["subject_token"] == nil { problems.append("subject_token") }
            let (mode, serial) = state.withLockedValue { state -> (Mode, Int) in
                state.forms.append(form)
                state.problems += problems
                state.minted += 1
                return (state.mode, state.minted)
            }
            switch mode {
            case .hang:
                return
            case .refuse(let status, let error):
                responder.respond(status, [("Content-Type", "application/json")],
                                  body: #"{"error":"\#(error)","error_description":"refused by the test"}"#)
            case .mint(let expiresIn):
                guard problems.isEmpty else {
                    responder.respond(.badRequest, [("Content-Type", "application/json")], body: #"{"error":"invalid_request"}"#)
                    return
                }
                let token = "minted-\(form["subject_token"] ?? "")-\(serial)"
                let lifetime = expiresIn.map { #","expires_in":\#($0)"# } ?? ""
                responder.respond(.ok, [("Content-Type", "application/json")],
                                  body: #"{"access_token":"\#(token)","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer"\#(lifetime)}"#)
            }
        }
        return TokenExchangeStub(http: http, state: state)
    }

    var url: String { http.url("/token") }
    var forms: [[String: String]] { state.withLockedValue { $0.forms } }
    var problems: [String] { state.withLockedValue { $0.problems } }
    func set(_ mode: Mode) { state.withLockedValue { $0.mode = mode } }
    func stop() async { await http.stop() }

    static func decodeForm(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }
}
