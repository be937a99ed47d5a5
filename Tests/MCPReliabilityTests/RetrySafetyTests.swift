import MCPReliability
import Testing

@Suite struct RetrySafetyTests {
    @Test(arguments: [
        "ping", "tools/list", "prompts/list", "resources/list", "resources/templates/list",
        "resources/read", "prompts/get", "completion/complete",
    ])
    func readsAreSafe(method: String) {
        #expect(RetrySafety.isSafeToRepeat(method: method))
    }

    @Test(arguments: [
        "initialize", "resources/subscribe", "resources/unsubscribe", "logging/setLevel",
        "sampling/createMessage", "notifications/initialized", "", "Ping", "tools/list/extra",
    ])
    func everythingElseIsNot(method: String) {
        #expect(!RetrySafety.isSafeToRepeat(method: method))
        #expect(!RetrySafety.isSafeToRepeat(method: method, readOnlyHint: true, idempotentHint: true))
    }

    @Test func toolCallsNeedAHint() {
        #expect(!RetrySafety.isSafeToRepeat(method: "tools/call"))
        #expect(RetrySafety.isSafeToRepeat(method: "tools/call", readOnlyHint: true))
        #expect(RetrySafety.isSafeToRepeat(method: "tools/call", idempotentHint: true))
        #expect(RetrySafety.isSafeToRepeat(method: "tools/call", readOnlyHint: true, idempotentHint: true))
    }
}
