import JSONRPC
@testable import MCPTransports
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A sink that collects frames like `FrameCollector`, notes on which event loop each message
/// arrived, and answers a server request from inside `transportReceived` by calling the
/// transport's `send` (as the proxy does with pings), to prove that this cannot deadlock.
final class ReplyingSink: MessageSink {
    let collector = FrameCollector()
    private let state = NIOLockedValueBox<(transport: (any MessageTransport)?, loops: [(any EventLoop)?])>((nil, []))

    /// The transport that `send`s the replies.
    func reply(through transport: any MessageTransport) {
        state.withLockedValue { $0.transport = transport }
    }

    /// The event loop each message arrived on (nil: not on one), in order.
    var arrivalLoops: [(any EventLoop)?] { state.withLockedValue { $0.loops } }

    func transportReceived(_ frame: InboundFrame) {
        let transport = state.withLockedValue { state -> (any MessageTransport)? in
            state.loops.append(MultiThreadedEventLoopGroup.currentEventLoop)
            return state.transport
        }
        collector.transportReceived(frame)
        guard case .message(let bytes) = frame,
              let message = try? JSONRPCScanner().scanMessage(bytes),
              message.envelope.kind == .request, let idBytes = message.idBytes
        else { return }
        transport?.send(JSONRPCEncoder.result(idBytes: idBytes, result: Array(#"{"role":"assistant"}"#.utf8)))
    }

    func transportClosed(_ reason: TransportCloseReason) {
        collector.transportClosed(reason)
    }
}
