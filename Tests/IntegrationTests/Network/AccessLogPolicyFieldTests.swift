import Foundation
@testable import MCPGateway
import XCTest

/// The access log's `policy` field: what the external policy hook and the result guards decided.
final class AccessLogPolicyFieldTests: XCTestCase {
    func testPolicyFieldIsLastAndQuotedWhenItNeedsIt() throws {
        let denied = AccessLogRecord(
            time: 0, principal: "alice", method: "tools/call", name: "alpha__drop", upstream: "alpha", id: "3",
            outcome: .refused(reason: "policyHook", code: nil), bytesIn: 90, policy: "hook=deny: no drops on Friday")
        XCTAssertEqual(AccessLogFormat.line(denied, format: .text),
                       #"time=1970-01-01T00:00:00.000Z principal=alice method=tools/call name=alpha__drop upstream=alpha id=3 "#
                       + #"outcome=refused reason=policyHook bytes_in=90 policy="hook=deny: no drops on Friday""#)
        let redacted = AccessLogRecord(time: 0, outcome: .ok, policy: "hook=allow; redacted=jwt:1")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(AccessLogFormat.line(redacted, format: .json).utf8)) as? [String: Any])
        XCTAssertEqual(object["policy"] as? String, "hook=allow; redacted=jwt:1")
        XCTAssertFalse(AccessLogFormat.line(AccessLogRecord(time: 0, outcome: .ok), format: .text).contains("policy"),
                       "no field when neither the hook nor a guard took part")
    }
}
