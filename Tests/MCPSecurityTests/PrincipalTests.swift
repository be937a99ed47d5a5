import JSONRPC
import XCTest

final class PrincipalTests: XCTestCase {
    func testRolesAndScopesAreSortedAndUnique() {
        let principal = Principal(subject: "alice", issuer: "https://idp", roles: ["b", "a", "b"], scopes: ["x", "x"], method: .jwt)
        XCTAssertEqual(principal.roles, ["a", "b"])
        XCTAssertEqual(principal.scopes, ["x"])
        XCTAssertTrue(principal.hasRole("a"))
        XCTAssertFalse(principal.hasScope("y"))
    }

    func testIdentityKeySeparatesIssuers() {
        let one = Principal(subject: "alice", issuer: "https://one", method: .jwt)
        let two = Principal(subject: "alice", issuer: "https://two", method: .jwt)
        XCTAssertNotEqual(one.identityKey, two.identityKey)
        XCTAssertNotEqual(one, two)
    }
}
