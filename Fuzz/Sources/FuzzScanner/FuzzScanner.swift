import JSONRPC
import NIOCore

// libFuzzer entry point for the JSON-RPC scanner and what the proxy does with a scanned frame.
// Every input must either scan or fail with a `JSONRPCScanError`; any trap, sanitizer report or
// broken invariant below is a finding. Invariants (see Fuzz/README.md):
//  1. scan(_:) and scanMessage(_:) agree; a frame valid under tight limits is valid, and the
//     same, under the default ones; the result does not depend on the buffer's readerIndex.
//  2. JSON validity agrees with JSONView.parse (the generic validator).
//  3. A scanned message: bytes start with `{` and end with `}`, every envelope range lies in the
//     message, the kind matches the members present, the id and token ranges hold those tokens.
//  4. Splicing a new id (and progress token / cancelled request id) gives bytes that scan again
//     as a valid message of the same kind and method, with the new values, every other range
//     moved by exactly the size difference; splicing the old tokens back restores the bytes.
//  5. The error response for a scan error scans as a valid error response with the right code
//     and the id when it was echoed.
//  6. params/result/error round-trip through JSONValue: encoded, parsed again, equal (numbers
//     by value; a number that overflows Double becomes null, as JSONValue documents).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScanner(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    ScannerHarness.run(input)
    return 0
}

enum ScannerHarness {
    static let scanner = JSONRPCScanner()
    static let tight = JSONRPCScanner(limits: ScanLimits(maxMessageBytes: 1 << 12, maxDepth: 3))

    static func run(_ input: UnsafeBufferPointer<UInt8>) {
        let buffer = ByteBuffer(bytes: input)
        let frame: Result<ScannedFrame, JSONRPCScanError>
        do throws(JSONRPCScanError) {
            frame = .success(try scanner.scan(buffer))
        } catch {
            frame = .failure(error)
        }

        checkAgreement(frame, buffer: buffer, input: input)

        switch frame {
        case .success(.single(let message)):
            checkTrimmed(message, input: input)
            checkMessage(message)
        case .success(.batch(let elements)):
            check(!elements.isEmpty, "a batch with no elements was accepted")
            // The per-message checks cost far more than scanning; bounding them keeps the time
            // of one input, which -timeout judges, about the scanner rather than the harness.
            for element in elements.prefix(16) {
                switch element {
                case .success(let message): checkMessage(message)
                case .failure(let error): checkError(error, inputCount: input.count)
                }
            }
        case .failure(let error):
            checkError(error, inputCount: input.count)
        }
    }

    // MARK: 1 and 2: agreement between entry points, limits, reader index and validators

    static func checkAgreement(_ frame: Result<ScannedFrame, JSONRPCScanError>, buffer: ByteBuffer, input: UnsafeBufferPointer<UInt8>) {
        // scanMessage is scan without batches.
        let single: Result<JSONRPCMessage, JSONRPCScanError>
        do throws(JSONRPCScanError) {
            single = .success(try scanner.scanMessage(buffer))
        } catch {
            single = .failure(error)
        }
        switch (frame, single) {
        case (.success(.single(let a)), .success(let b)):
            check(a.envelope == b.envelope && a.bytes == b.bytes, "scan and scanMessage disagree")
        case (.success(.single), .failure(let error)):
            fail("scan accepted one message, scanMessage refused it: \(error)")
        case (.success(.batch), .success):
            fail("scanMessage accepted a batch")
        case (.failure(let error), .success):
            fail("scanMessage accepted a frame that scan refused: \(error)")
        default:
            break
        }

        // The same bytes behind a non-zero reader index scan the same.
        var shifted = ByteBufferAllocator().buffer(capacity: input.count + 7)
        shifted.writeStaticString("garbage")
        shifted.writeBytes(input)
        shifted.moveReaderIndex(forwardBy: 7)
        let shiftedFrame: Result<ScannedFrame, JSONRPCScanError>
        do throws(JSONRPCScanError) {
            shiftedFrame = .success(try scanner.scan(shifted))
        } catch {
            shiftedFrame = .failure(error)
        }
        check(sameFrame(frame, shiftedFrame), "the result depends on the buffer's reader index")

        // Tighter limits only ever refuse more.
        let tightFrame: Result<ScannedFrame, JSONRPCScanError>
        do throws(JSONRPCScanError) {
            tightFrame = .success(try tight.scan(buffer))
        } catch {
            tightFrame = .failure(error)
        }
        if case .success = tightFrame {
            check(sameFrame(frame, tightFrame), "a frame valid under tight limits scans differently under the default ones")
        }
        if case .failure(let error) = tightFrame, error.kind == .parseError {
            // Limits may turn a parse error into a limit error, never the other way round.
            if case .failure(let full) = frame {
                check(full.kind == .parseError, "tight limits found a parse error the default limits did not: \(error) vs \(full)")
            } else {
                fail("tight limits found a parse error in a frame the default limits accept: \(error)")
            }
        }

        // The scanner's JSON validation agrees with the generic validator.
        let jsonValid: Bool
        do throws(JSONRPCScanError) {
            _ = try JSONView.parse(buffer)
            jsonValid = true
        } catch {
            check(error.kind == .parseError || error.kind == .nestingTooDeep, "JSONView.parse failed with \(error)")
            jsonValid = false
        }
        switch frame {
        case .success:
            check(jsonValid, "the scanner accepted a frame that JSONView.parse refuses")
        case .failure(let error):
            let scannerSaysInvalid = error.kind == .parseError || error.kind == .nestingTooDeep
            check(
                scannerSaysInvalid != jsonValid,
                "the scanner (\(error.kind)) and JSONView.parse (\(jsonValid ? "valid" : "invalid")) disagree on JSON validity: \(error.message)")
        }
    }

    static func sameFrame(_ a: Result<ScannedFrame, JSONRPCScanError>, _ b: Result<ScannedFrame, JSONRPCScanError>) -> Bool {
        switch (a, b) {
        case (.failure(let x), .failure(let y)):
            return x == y
        case (.success(.single(let x)), .success(.single(let y))):
            return x.envelope == y.envelope && x.bytes == y.bytes
        case (.success(.batch(let xs)), .success(.batch(let ys))):
            guard xs.count == ys.count else { return false }
            for (x, y) in zip(xs, ys) {
                switch (x, y) {
                case (.success(let m), .success(let n)):
                    guard m.envelope == n.envelope, m.bytes == n.bytes else { return false }
                case (.failure(let e), .failure(let f)):
                    guard e == f else { return false }
                default:
                    return false
                }
            }
            return true
        default:
            return false
        }
    }

    // MARK: 3: a scanned message

    /// A single message is the whole input without the surrounding whitespace.
    static func checkTrimmed(_ message: JSONRPCMessage, input: UnsafeBufferPointer<UInt8>) {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        var lower = 0
        var upper = input.count
        while lower < upper, isSpace(input[lower]) { lower += 1 }
        while upper > lower, isSpace(input[upper - 1]) { upper -= 1 }
        check(message.bytes.readableBytesView.elementsEqual(input[lower..<upper]), "a single message is not the trimmed input")
    }

    static func checkMessage(_ message: JSONRPCMessage) {
        let bytes = Array(message.bytes.readableBytesView)
        let count = bytes.count
        check(count >= 2 && bytes.first == UInt8(ascii: "{") && bytes.last == UInt8(ascii: "}"), "a message is not one object")
        let envelope = message.envelope
        for (name, range) in ranges(envelope) {
            guard let range else { continue }
            check(range.lowerBound >= 0 && range.upperBound <= count && !range.isEmpty, "\(name) range \(range) is outside the \(count)-byte message")
        }

        switch envelope.kind {
        case .request:
            check(envelope.method != nil && envelope.id != nil && envelope.idRange != nil, "a request without method or id")
            check(envelope.resultRange == nil && envelope.errorRange == nil, "a request with result or error")
        case .notification:
            check(envelope.method != nil && envelope.id == nil && envelope.idRange == nil, "a notification without method, or with an id")
        case .successResponse:
            check(envelope.method == nil && envelope.id != nil && envelope.resultRange != nil && envelope.errorRange == nil, "a malformed success response")
        case .errorResponse:
            check(envelope.method == nil && envelope.errorRange != nil && envelope.resultRange == nil, "a malformed error response")
        }
        check((envelope.id == nil) == (envelope.idRange == nil), "id and idRange disagree")
        check((envelope.progressToken == nil) == (envelope.progressTokenRange == nil), "progressToken and its range disagree")
        check((envelope.cancelledRequestID == nil) == (envelope.cancelledRequestIDRange == nil), "cancelledRequestID and its range disagree")
        check((envelope.name == nil) == (envelope.nameRange == nil), "name and nameRange disagree")
        check((envelope.uri == nil) == (envelope.uriRange == nil), "uri and uriRange disagree")

        // Token ranges hold exactly those tokens.
        checkToken(envelope.id, envelope.idRange, in: message, "id")
        checkToken(envelope.progressToken, envelope.progressTokenRange, in: message, "progressToken")
        checkToken(envelope.cancelledRequestID, envelope.cancelledRequestIDRange, in: message, "cancelledRequestID")
        checkString(envelope.name, envelope.nameRange, in: message, "params.name")
        checkString(envelope.uri, envelope.uriRange, in: message, "params.uri")
        checkString(envelope.refName, envelope.refNameRange, in: message, "params.ref.name")
        checkString(envelope.refURI, envelope.refURIRange, in: message, "params.ref.uri")
        if let code = envelope.errorCode, let range = envelope.errorRange {
            check(JSONView(message: message, range: range)["code"]?.int64 == Int64(code), "errorCode is not error.code")
        }

        // The members round-trip through JSONValue.
        for range in [envelope.paramsRange, envelope.resultRange, envelope.errorRange] {
            guard let range else { continue }
            checkValueRoundTrip(JSONView(message: message, range: range))
        }

        checkSplicing(message)
    }

    static func ranges(_ envelope: Envelope) -> [(String, Range<Int>?)] {
        [
            ("id", envelope.idRange), ("params", envelope.paramsRange), ("result", envelope.resultRange),
            ("error", envelope.errorRange), ("name", envelope.nameRange), ("uri", envelope.uriRange),
            ("ref.name", envelope.refNameRange), ("ref.uri", envelope.refURIRange),
            ("progressToken", envelope.progressTokenRange), ("cancelledRequestID", envelope.cancelledRequestIDRange),
        ]
    }

    static func checkToken(_ id: JSONRPCID?, _ range: Range<Int>?, in message: JSONRPCMessage, _ name: String) {
        guard let id, let range else { return }
        let view = JSONView(message: message, range: range)
        switch id {
        case .number(let value):
            check(view.kind == .number && view.int64 == value, "\(name) \(value) is not the token \(String(decoding: view.rawBytes, as: UTF8.self))")
        case .string(let value):
            check(view.kind == .string && view.string == value, "\(name) \(value.debugDescription) is not the token \(String(decoding: view.rawBytes, as: UTF8.self))")
        }
    }

    static func checkString(_ value: String?, _ range: Range<Int>?, in message: JSONRPCMessage, _ name: String) {
        guard let value, let range else { return }
        let view = JSONView(message: message, range: range)
        check(view.kind == .string && view.string == value, "\(name) \(value.debugDescription) is not its token")
    }

    /// JSONValue(view).encoded parses again to an equal value (numbers compared by value).
    static func checkValueRoundTrip(_ view: JSONView) {
        let value = JSONValue(view)
        let encoded = value.encoded
        let again: JSONValue
        do throws(JSONRPCScanError) {
            again = try JSONValue(parsing: encoded)
        } catch {
            fail("JSONValue.encoded is not valid JSON (\(error)): \(String(decoding: encoded.prefix(300), as: UTF8.self))")
        }
        check(sameValue(value, again), "JSONValue does not round-trip: \(String(decoding: encoded.prefix(300), as: UTF8.self))")
    }

    static func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)):
            return Double(x) == y
        case (.double(let x), .null):
            return !x.isFinite  // a number token that overflows Double (1e400): documented to encode as null
        case (.array(let xs), .array(let ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy(sameValue)
        case (.object(let xs), .object(let ys)):
            return xs.count == ys.count && xs.allSatisfy { key, x in ys[key].map { sameValue(x, $0) } ?? false }
        default:
            return a == b
        }
    }

    // MARK: 4: splicing ids and tokens, as the proxy does

    static let replacementIDs: [JSONRPCID] = [
        .number(0), .number(-1), .number(Int64.max), .number(Int64.min), .string(""), .string("u3-1042"),
        .string("q\"\\/\u{0}\u{1F}\u{7F}é☕𝄞\u{2028}"),
    ]

    static func checkSplicing(_ message: JSONRPCMessage) {
        let envelope = message.envelope
        let seed = message.bytes.readableBytes &+ Int(message.bytes.getInteger(at: message.bytes.readerIndex + 1, as: UInt8.self) ?? 0)
        let newID = replacementIDs[seed % replacementIDs.count]
        let newToken = replacementIDs[(seed / 7) % replacementIDs.count]

        // The id alone, through replacingID(with:).
        let replaced = message.replacingID(with: newID.jsonBytes)
        var expected = envelope
        if envelope.idRange != nil { expected.id = newID }
        let edits = envelope.idRange.map { [ByteSplice(range: $0, replacement: newID.jsonBytes)] } ?? []
        checkRescan(replaced, original: message, edits: edits, expected: expected, what: "replacingID")

        // id, progress token and cancelled request id together, as the proxy rewrites them.
        var all: [ByteSplice] = []
        var restore: [(old: [UInt8], range: KeyPath<Envelope, Range<Int>?>)] = []
        expected = envelope
        if let range = envelope.progressTokenRange {
            all.append(ByteSplice(range: range, replacement: newToken.jsonBytes))
            expected.progressToken = newToken
            restore.append((message.rawBytes(range), \.progressTokenRange))
        }
        if let range = envelope.idRange {
            all.append(ByteSplice(range: range, replacement: newID.jsonBytes))
            expected.id = newID
            restore.append((message.rawBytes(range), \.idRange))
        }
        if let range = envelope.cancelledRequestIDRange {
            all.append(ByteSplice(range: range, replacement: newToken.jsonBytes))
            expected.cancelledRequestID = newToken
            restore.append((message.rawBytes(range), \.cancelledRequestIDRange))
        }
        guard !all.isEmpty else { return }
        let spliced = message.splicing(all)
        let validated: ByteBuffer
        do throws(ByteSpliceError) {
            validated = try message.validatedSplicing(all)
        } catch {
            fail("validatedSplicing refused the envelope's own ranges: \(error)")
        }
        check(validated == spliced, "splicing and validatedSplicing differ")
        guard let rescanned = checkRescan(spliced, original: message, edits: all, expected: expected, what: "splicing") else { return }

        // Splicing the old tokens back gives the original bytes.
        let back = restore.compactMap { item in
            rescanned.envelope[keyPath: item.range].map { ByteSplice(range: $0, replacement: item.old) }
        }
        check(back.count == restore.count, "a spliced token lost its range")
        check(rescanned.splicing(back) == message.bytes, "splicing the old tokens back does not restore the message")
    }

    /// Scans `bytes` again: same kind, method and names; the new ids; ranges moved by the edits.
    @discardableResult
    static func checkRescan(
        _ bytes: ByteBuffer, original: JSONRPCMessage, edits: [ByteSplice], expected: Envelope, what: String
    ) -> JSONRPCMessage? {
        let rescanned: JSONRPCMessage
        do throws(JSONRPCScanError) {
            rescanned = try scanner.scanMessage(bytes)
        } catch {
            fail("\(what): the spliced message does not scan: \(error)\n\(String(buffer: bytes).prefix(500))")
        }
        var moved = expected
        let shift = { (range: Range<Int>?) -> Range<Int>? in
            range.map { move($0.lowerBound, edits) ..< move($0.upperBound, edits) }
        }
        moved.idRange = shift(expected.idRange)
        moved.paramsRange = shift(expected.paramsRange)
        moved.resultRange = shift(expected.resultRange)
        moved.errorRange = shift(expected.errorRange)
        moved.nameRange = shift(expected.nameRange)
        moved.uriRange = shift(expected.uriRange)
        moved.refNameRange = shift(expected.refNameRange)
        moved.refURIRange = shift(expected.refURIRange)
        moved.progressTokenRange = shift(expected.progressTokenRange)
        moved.cancelledRequestIDRange = shift(expected.cancelledRequestIDRange)
        check(
            rescanned.envelope == moved,
            "\(what): the spliced message scans differently\n  expected \(moved)\n  found    \(rescanned.envelope)\n\(String(buffer: bytes).prefix(500))")
        return rescanned
    }

    /// Where offset `position` of the original lands after `edits`; an edit's end maps to the
    /// end of its replacement.
    static func move(_ position: Int, _ edits: [ByteSplice]) -> Int {
        var result = position
        for edit in edits where edit.range.upperBound <= position {
            result += edit.replacement.count - edit.range.count
        }
        return result
    }

    // MARK: 5: scan errors and their responses

    static func checkError(_ error: JSONRPCScanError, inputCount: Int) {
        check(!error.message.isEmpty, "a scan error without a message")
        if let offset = error.offset {
            check(offset >= 0 && offset <= inputCount, "error offset \(offset) outside the \(inputCount)-byte input: \(error)")
        }
        if let idBytes = error.idBytes {
            check(error.kind == .invalidRequest, "an id was recovered for a \(error.kind)")
            // A recovered id is a valid id token.
            do throws(JSONRPCScanError) {
                let view = try JSONView.parse(ByteBuffer(bytes: idBytes))
                check(view.kind == .string || view.int64 != nil, "recovered id is not a string or integer")
            } catch {
                fail("the recovered id is not JSON: \(String(decoding: idBytes, as: UTF8.self))")
            }
        }
        let response = JSONRPCEncoder.errorResponse(for: error)
        let message: JSONRPCMessage
        do throws(JSONRPCScanError) {
            message = try scanner.scanMessage(response)
        } catch {
            fail("the error response does not scan: \(error)\n\(String(buffer: response).prefix(500))")
        }
        check(message.envelope.kind == .errorResponse, "the error response is a \(message.envelope.kind)")
        check(message.envelope.errorCode == error.code.rawValue, "the error response carries the wrong code")
        let echoed = error.code == .invalidRequest ? error.idBytes : nil
        check(message.idBytes == echoed, "the error response carries the wrong id")
        if let range = message.envelope.errorRange {
            check(JSONView(message: message, range: range)["message"]?.string == error.message, "the error response's message differs")
        }
    }

    // MARK: failing

    @inline(__always)
    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fail(message()) }
    }

    static func fail(_ message: String) -> Never {
        fatalError("FuzzScanner invariant violated: \(message)")
    }
}
