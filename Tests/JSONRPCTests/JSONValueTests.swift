import Foundation
import JSONRPC
import NIOCore
import XCTest

final class JSONValueTests: XCTestCase {
    func testFromViewAndEncoded() throws {
        let value = try JSONValue(
            parsing: TestSupport.buffer(#"{"b":[1,-2.5,"x\n",true,null],"a":{"z":9223372036854775807,"y":1e400},"dup":1,"dup":2}"#))
        XCTAssertEqual(value["b"], [1, -2.5, "x\n", true, nil])
        XCTAssertEqual(value["a"]?["z"], .int(.max))
        XCTAssertEqual(value["a"]?["y"], .double(.infinity))
        XCTAssertEqual(value["dup"], 1, "first occurrence wins")
        XCTAssertEqual(
            TestSupport.string(value.encoded),
            #"{"a":{"y":null,"z":9223372036854775807},"b":[1,-2.5,"x\u000a",true,null],"dup":1}"#)
    }

    func testEncodedRoundTrip() throws {
        let value: JSONValue = [
            "string": "é😀\"\\", "int": -7, "double": 0.1, "bool": false, "null": nil,
            "nested": ["array": [[], [:], [1, 2]], "empty": ""], "big": .double(1e300), "small": .double(-Double.leastNonzeroMagnitude),
        ]
        let encoded = value.encoded
        XCTAssertEqual(try JSONValue(parsing: encoded), value)
        XCTAssertEqual(value.encoded, encoded, "deterministic")
        XCTAssertEqual(value["string"]?.stringValue, "é😀\"\\")
        XCTAssertEqual(value["int"]?.intValue, -7)
        XCTAssertEqual(value["int"]?.doubleValue, -7)
        XCTAssertEqual(value["bool"]?.boolValue, false)
        XCTAssertNil(value["missing"])
        XCTAssertNil(JSONValue.string("s")["k"])
        XCTAssertEqual(value["nested"]?["array"]?.arrayValue?.count, 3)
        XCTAssertEqual(value["nested"]?.objectValue?.count, 2)
    }

    func testKeysSortByBytes() {
        let value: JSONValue = ["b": 1, "a": 2, "B": 3, "é": 4, "aa": 5]
        XCTAssertEqual(TestSupport.string(value.encoded), #"{"B":3,"a":2,"aa":5,"b":1,"é":4}"#)
    }

    func testCodableRoundTripWithFoundation() throws {
        let json = #"{"s":"x","i":42,"d":1.5,"t":true,"n":null,"a":[1,"2"],"o":{"k":[]}}"#
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        XCTAssertEqual(decoded["s"], "x")
        XCTAssertEqual(decoded["i"], .int(42))
        XCTAssertEqual(decoded["d"], .double(1.5))
        XCTAssertEqual(decoded["t"], .bool(true))
        XCTAssertEqual(decoded["n"], .null)
        XCTAssertEqual(decoded["a"], [1, "2"])
        XCTAssertEqual(decoded["o"], ["k": []])
        XCTAssertEqual(decoded, try JSONValue(parsing: Array(json.utf8)))
        let reencoded = try JSONEncoder().encode(decoded)
        XCTAssertEqual(try JSONDecoder().decode(JSONValue.self, from: reencoded), decoded)
    }

    func testParsingErrors() {
        XCTAssertThrowsError(try JSONValue(parsing: Array("{\"a\":}".utf8)))
    }
}
