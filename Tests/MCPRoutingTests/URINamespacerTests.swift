import XCTest

import MCPRouting

final class URINamespacerTests: XCTestCase {
    let upstreamNames = ["alpha", "Beta Server", "9lives", "beta-server", "my_server", "api.v2", "", "Ünïcode/名前", "u..x"]
    let uris = ["file:///x", "https://example.com/a+b?c=d#e", "note://1", "x", "alpha+file:///nested"]

    func testRoundTripWithoutKnownUpstreams() {
        let namespacer = URINamespacer()
        for upstream in upstreamNames {
            for uri in uris {
                let exposed = namespacer.exposed(uri: uri, upstream: upstream)
                let back = namespacer.original(exposed: exposed)
                XCTAssertEqual(back?.upstream, upstream, exposed)
                XCTAssertEqual(back?.uri, uri, exposed)
            }
        }
    }

    func testReadableSchemes() {
        let namespacer = URINamespacer()
        XCTAssertEqual(namespacer.exposed(uri: "file:///x", upstream: "alpha"), "alpha+file:///x")
        XCTAssertEqual(namespacer.scheme(for: "github-mcp"), "github-mcp")
        XCTAssertEqual(namespacer.scheme(for: "my_server"), "my.5fserver")
        XCTAssertEqual(namespacer.scheme(for: "9lives"), "u..9lives")
        XCTAssertEqual(namespacer.scheme(for: "Files"), "u...46iles")
    }

    func testDistinctUpstreamsGetDistinctSchemes() {
        let namespacer = URINamespacer()
        let schemes = upstreamNames.map(namespacer.scheme(for:))
        XCTAssertEqual(Set(schemes).count, upstreamNames.count, "\(schemes)")
    }

    func testSchemesAreValidURISchemes() {
        let namespacer = URINamespacer()
        for upstream in upstreamNames {
            let scheme = namespacer.scheme(for: upstream)
            XCTAssertTrue(scheme.unicodeScalars.first.map { ("a"..."z").contains($0) } == true, scheme)
            XCTAssertTrue(
                scheme.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." },
                scheme)
        }
    }

    func testMalformedOrUnknownIsNil() {
        let namespacer = URINamespacer()
        XCTAssertNil(namespacer.original(exposed: "file:///x"), "no plus")
        XCTAssertNil(namespacer.original(exposed: "alpha+"), "empty URI")
        XCTAssertNil(namespacer.original(exposed: "Alpha+file:///x"), "uppercase is never produced")
        XCTAssertNil(namespacer.original(exposed: "a.6cpha+file:///x"), "non-canonical escape")
        XCTAssertNil(namespacer.original(exposed: "a.zz+file:///x"), "bad escape")
        XCTAssertNil(namespacer.original(exposed: "a.c3+file:///x"), "invalid UTF-8")
        XCTAssertNil(namespacer.original(exposed: "u..alpha+file:///x"), "marker before a letter")

        let restricted = URINamespacer(upstreams: ["alpha"])
        XCTAssertEqual(restricted.original(exposed: "alpha+file:///x")?.upstream, "alpha")
        XCTAssertNil(restricted.original(exposed: "gamma+file:///x"))
    }
}
