import JSONRPC
import XCTest

/// Tests 12 to 14: list changes, resource subscriptions and logging, from upstream to client.
final class NotificationTests: ProxyTestCase {
    func testToolListChangeIsForwardedAndTheNewToolListed() async throws {
        let proxy = try await startInitialized()
        _ = try await proxy.call("tools/list")
        let toggled = try await proxy.callTool("alpha__toggle_extra")
        XCTAssertEqual(toggled.toolText, "extra added")
        _ = try await proxy.notification("notifications/tools/list_changed")

        let list = try await proxy.call("tools/list")
        let names = list.result?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        XCTAssertEqual(names, Self.exampleTools.map { "alpha__" + $0 } + ["alpha__extra"] + Self.exampleTools.map { "beta__" + $0 })
        let extra = try await proxy.callTool("alpha__extra")
        XCTAssertEqual(extra.toolText, "extra from alpha", extra.line)
    }

    func testResourceUpdatesArriveOnlyWhileSubscribed() async throws {
        let proxy = try await startInitialized()
        let subscribed = try await proxy.call("resources/subscribe", params: #"{"uri":"example://counter"}"#)
        XCTAssertEqual(subscribed.result, .object([:]), subscribed.line)

        let bump = try await proxy.callTool("alpha__bump")
        XCTAssertEqual(bump.toolText, "1")
        let update = try await proxy.notification("notifications/resources/updated")
        XCTAssertEqual(update.params, json(#"{"uri":"example://counter"}"#))
        XCTAssertLessThan(update.sequence, bump.sequence, "the upstream notifies before it answers; order is kept")

        // beta owns no subscription (alpha serves example://counter): its bump notifies nobody.
        let betaBump = try await proxy.callTool("beta__bump")
        XCTAssertEqual(betaBump.toolText, "1")

        let read = try await proxy.call("resources/read", params: #"{"uri":"example://counter"}"#)
        XCTAssertEqual(read.result?["contents"]?.arrayValue?.first?["text"]?.stringValue, "1", read.line)

        let unsubscribed = try await proxy.call("resources/unsubscribe", params: #"{"uri":"example://counter"}"#)
        XCTAssertEqual(unsubscribed.result, .object([:]), unsubscribed.line)
        let after = try await proxy.callTool("alpha__bump")
        XCTAssertEqual(after.toolText, "2")
        try await Task.sleep(for: .milliseconds(200))
        let updates = proxy.messages { $0.method == "notifications/resources/updated" }
        XCTAssertEqual(updates.count, 1, "one update while subscribed, none after unsubscribing: \(updates)")
    }

    func testSetLevelAndLogMessagesNamedForTheirUpstream() async throws {
        let proxy = try await startInitialized()
        let set = try await proxy.call("logging/setLevel", params: #"{"level":"debug"}"#)
        XCTAssertEqual(set.result, .object([:]), set.line)
        let invalid = try await proxy.call("logging/setLevel", params: #"{"level":"loud"}"#)
        XCTAssertEqual(invalid.errorCode, -32602, invalid.line)

        let logged = try await proxy.callTool("alpha__log", arguments: #"{"level":"warning","message":"hello from the test"}"#)
        XCTAssertEqual(logged.toolText, "logged")
        let message = try await proxy.notification("notifications/message")
        XCTAssertEqual(message.params, json(#"{"level":"warning","logger":"alpha/example","data":"hello from the test"}"#))

        _ = try await proxy.callTool("beta__log", arguments: #"{"message":"b"}"#)
        let fromBeta = try await proxy.notification("notifications/message")
        XCTAssertEqual(fromBeta.params?["logger"], .string("beta/example"), fromBeta.line)
    }
}
