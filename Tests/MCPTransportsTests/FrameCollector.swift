import MCPTransports
import NIOConcurrencyHelpers
import NIOCore

/// A sink that records what a transport delivered, for assertions.
final class FrameCollector: MessageSink {
    private let state = NIOLockedValueBox<(frames: [InboundFrame], closed: TransportCloseReason?)>(([], nil))
    private let oversizedFrames = NIOLockedValueBox<[OversizedFrame]>([])

    func transportReceived(_ frame: InboundFrame) {
        state.withLockedValue { $0.frames.append(frame) }
    }

    /// Records the excerpts, and the frame as `.oversized` (so ``oversizedCounts`` sees it).
    func transportReceivedOversized(_ frame: OversizedFrame) {
        oversizedFrames.withLockedValue { $0.append(frame) }
        transportReceived(.oversized(byteCount: frame.byteCount, limit: frame.limit))
    }

    /// The oversized frames reported with their excerpts.
    var oversized: [OversizedFrame] {
        oversizedFrames.withLockedValue { $0 }
    }

    func transportClosed(_ reason: TransportCloseReason) {
        state.withLockedValue { state in
            precondition(state.closed == nil, "transportClosed reported twice")
            state.closed = reason
        }
    }

    var messages: [String] {
        state.withLockedValue { state in
            state.frames.compactMap { frame in
                if case .message(let buffer) = frame { return String(buffer: buffer) }
                return nil
            }
        }
    }

    var oversizedCounts: [Int] {
        state.withLockedValue { state in
            state.frames.compactMap { frame in
                if case .oversized(let count, _) = frame { return count }
                return nil
            }
        }
    }

    var closeReason: TransportCloseReason? { state.withLockedValue { $0.closed } }

    /// Polls until `condition` holds or `seconds` pass.
    func wait(seconds: Double = 10, until condition: (FrameCollector) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(self)
    }
}

extension ByteBuffer {
    init(text: String) {
        self = ByteBufferAllocator().buffer(string: text)
    }
}
