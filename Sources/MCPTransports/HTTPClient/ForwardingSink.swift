/// Passes an inner transport's frames to an outer transport's gate; its end goes to `onClose`.
struct ForwardingSink: MessageSink {
    let gate: SinkGate
    let onClose: @Sendable (TransportCloseReason) -> Void

    func transportReceived(_ frame: InboundFrame) {
        gate.deliver(frame)
    }

    func transportClosed(_ reason: TransportCloseReason) {
        onClose(reason)
    }
}
