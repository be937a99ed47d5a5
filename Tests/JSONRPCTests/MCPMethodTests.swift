import JSONRPC
import XCTest

final class MCPMethodTests: XCTestCase {
    static let allKnown: [MCPMethod] = [
        .initialize, .ping, .toolsList, .toolsCall, .resourcesList, .resourcesTemplatesList, .resourcesRead,
        .resourcesSubscribe, .resourcesUnsubscribe, .promptsList, .promptsGet, .completionComplete, .loggingSetLevel,
        .samplingCreateMessage, .elicitationCreate, .rootsList, .tasksGet, .tasksResult, .tasksCancel, .tasksList,
        .serverDiscover, .subscriptionsListen, .initialized, .cancelled, .progress, .message, .resourcesUpdated,
        .resourcesListChanged, .toolsListChanged, .promptsListChanged, .rootsListChanged, .elicitationComplete,
        .tasksStatus,
    ]

    func testNamesRoundTripAndAreDistinct() {
        var seen = Set<String>()
        for method in Self.allKnown {
            XCTAssertFalse(method.name.isEmpty)
            XCTAssertTrue(seen.insert(method.name).inserted, "duplicate name \(method.name)")
            XCTAssertEqual(MCPMethod(name: method.name), method)
        }
        XCTAssertEqual(seen.count, 33)
    }

    func testWireNames() {
        XCTAssertEqual(MCPMethod.toolsCall.name, "tools/call")
        XCTAssertEqual(MCPMethod.resourcesTemplatesList.name, "resources/templates/list")
        XCTAssertEqual(MCPMethod.initialized.name, "notifications/initialized")
        XCTAssertEqual(MCPMethod.resourcesListChanged.name, "notifications/resources/list_changed")
        XCTAssertEqual(MCPMethod.elicitationComplete.name, "notifications/elicitation/complete")
        XCTAssertEqual(MCPMethod.tasksStatus.name, "notifications/tasks/status")
        XCTAssertEqual(MCPMethod.loggingSetLevel.name, "logging/setLevel")
        XCTAssertEqual(MCPMethod.samplingCreateMessage.name, "sampling/createMessage")
    }

    func testUnknownNamesAreOther() {
        XCTAssertEqual(MCPMethod(name: "tools/CALL"), .other("tools/CALL"))
        XCTAssertEqual(MCPMethod(name: ""), .other(""))
        XCTAssertEqual(MCPMethod.other("x/y").name, "x/y")
        XCTAssertTrue(MCPMethod.other("notifications/custom").isNotification)
        XCTAssertFalse(MCPMethod.toolsCall.isNotification)
        XCTAssertTrue(MCPMethod.progress.isNotification)
    }
}
