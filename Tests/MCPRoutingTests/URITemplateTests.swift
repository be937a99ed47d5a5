import XCTest

import MCPRouting

final class URITemplateTests: XCTestCase {
    func check(_ template: String, _ cases: [(String, Bool)], file: StaticString = #filePath, line: UInt = #line) {
        let compiled = URITemplate(template)
        XCTAssertEqual(compiled.template, template, file: file, line: line)
        for (uri, expected) in cases {
            XCTAssertEqual(compiled.matches(uri), expected, "\(template) vs \(uri)", file: file, line: line)
            XCTAssertEqual(compiled.matches(utf8: Array(uri.utf8)), expected, "bytes: \(template) vs \(uri)", file: file, line: line)
        }
    }

    func testSimpleExpression() {
        check(
            "file:///logs/{name}.txt",
            [
                ("file:///logs/app.txt", true), ("file:///logs/a.b.txt", true), ("file:///logs/.txt", false),
                ("file:///logs/a/b.txt", false), ("file:///logs/a,b.txt", false), ("file:///logs/app.log", false),
                ("file:///logs/app.txt?x", false),
            ])
        check("users/{id}", [("users/42", true), ("users/", false), ("users/42/x", false), ("users/%2F", true)])
        check("db://{schema}/{table}", [("db://public/users", true), ("db://public", false), ("db://a/b/c", false)])
        check("{x,y}", [("1,2", true), ("1", true), ("a/b", false)])
        check("{list*}", [("a,b,c", true)])
        check("no/expressions", [("no/expressions", true), ("no/expression", false)])
        check("weather://{city}/{date:4}", [("weather://paris/2024", true)])
    }

    func testReservedAndFragment() {
        check("file:///{+path}", [("file:///a/b/c.txt", true), ("file:///", false), ("file:///a?b#c", true)])
        check("doc{#section}", [("doc", true), ("doc#intro/x", true), ("docx", false)])
    }

    func testLevelThreeOperators() {
        check("repo{/owner,name}", [("repo/apple/swift", true), ("repo", true), ("repo/apple", true), ("repox", false)])
        check("path{/seg}", [("path/one", true), ("path/one/two", false), ("path", true)])
        check("path{/seg*}", [("path/one/two", true)])
        check("file{.ext}", [("file.txt", true), ("file.tar.gz", true), ("file", true), ("file/x", false)])
        check("map{;x,y}", [("map;x=1;y=2", true), ("map", true), ("map;x=1/2", false)])
        check("search{?q,lang}", [("search?q=swift&lang=en", true), ("search", true), ("search?q=a/b", true), ("search?q#x", false)])
        check("search?fixed=1{&q}", [("search?fixed=1&q=x", true), ("search?fixed=1", true), ("search?fixed=2", false)])
    }

    func testMalformedTemplatesAreLiteral() {
        check("a{b", [("a{b", true), ("ab", false)])
        check("a}b", [("a}b", true)])
    }

    func testManyExpressionsStayFast() {
        let template = URITemplate(String(repeating: "{a}", count: 50) + "/end")
        let clock = ContinuousClock()
        var result = true
        let elapsed = clock.measure { result = template.matches(String(repeating: "x", count: 5_000)) }
        XCTAssertFalse(result)
        XCTAssertLessThan(elapsed, .seconds(2))
    }
}
