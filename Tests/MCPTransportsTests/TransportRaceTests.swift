import Logging
import MCPTransports
import NIOCore
import XCTest

/// Regressions for races the proxy hit in practice.
final class TransportRaceTests: XCTestCase {
    private let logger = Logger(label: "test")

    /// A sink that answers every message at once, from inside `transportReceived`.
    final class ImmediateReplier: MessageSink, @unchecked Sendable {
        // @unchecked: `transport` is set once before start and only read afterwards.
        weak var transport: StdioProcessTransport?
        let collector = FrameCollector()

        func transportReceived(_ frame: InboundFrame) {
            collector.transportReceived(frame)
            if case .message(let bytes) = frame {
                XCTAssertTrue(transport?.send(bytes) ?? false, "the reply to the very first frame must not be dropped")
            }
        }

        func transportClosed(_ reason: TransportCloseReason) {
            collector.transportClosed(reason)
        }
    }

    /// The child writes before the proxy has finished starting the transport; the sink's
    /// immediate reply used to be dropped because the channel was not stored yet.
    func testReplyToTheFirstMessageIsNeverDropped() async throws {
        for _ in 0..<20 {
            let transport = StdioProcessTransport(
                name: "first",
                configuration: StdioProcessConfiguration(command: "sh", arguments: ["-c", "printf '{\"hello\":1}\\n'; IFS= read -r line; printf 'got:%s\\n' \"$line\""]),
                logger: logger)
            let sink = ImmediateReplier()
            sink.transport = transport
            try await transport.start(sink: sink)
            let done = await sink.collector.wait { $0.messages.count == 2 }
            XCTAssertTrue(done, "got \(sink.collector.messages)")
            XCTAssertEqual(sink.collector.messages, [#"{"hello":1}"#, #"got:{"hello":1}"#])
            await transport.close()
        }
    }

    /// Messages sent concurrently from many threads each arrive as their own line.
    func testConcurrentSendersNeverInterleaveLines() async throws {
        let transport = StdioProcessTransport(
            name: "cat",
            configuration: StdioProcessConfiguration(command: "cat"),
            logger: logger)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        let senders = 8
        let perSender = 200
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    for index in 0..<perSender {
                        transport.send(ByteBuffer(text: #"{"sender":\#(sender),"index":\#(index)}"#))
                    }
                }
            }
        }
        let all = await sink.wait(seconds: 20) { $0.messages.count >= senders * perSender }
        XCTAssertTrue(all, "received \(sink.messages.count) of \(senders * perSender)")
        let expected = Set((0..<senders).flatMap { sender in (0..<perSender).map { #"{"sender":\#(sender),"index":\#($0)}"# } })
        XCTAssertEqual(Set(sink.messages), expected, "every line must be exactly one message")
        await transport.close()
    }
}
