import JSONRPC
import NIOCore

/// How one message sent to the target ended.
enum RPCOutcome {
    /// The response to the request (a result or an error response).
    case response(JSONRPCMessage)
    /// A notification (or a response of ours) was taken; nothing comes back.
    case accepted
    /// No usable answer: the connection failed, the status was not 2xx, the body was not JSON-RPC.
    case failure(String)
}

/// A connection to an MCP endpoint that carries JSON-RPC messages.
///
/// Every method must be called on `eventLoop`; completions run there too.
protocol RPCConnection: AnyObject, Sendable {
    /// The loop that owns the connection.
    var eventLoop: any EventLoop { get }
    /// How many requests it may carry at once (1 for an HTTP/1.1 connection).
    var window: Int { get }
    /// Sends one message. `id` is the request's id, or nil for a notification.
    func send(_ message: ByteBuffer, id: Int64?, completion: @escaping (RPCOutcome) -> Void)
    /// Closes the connection (and ends the child process of a stdio target).
    func close() -> EventLoopFuture<Void>
}

extension RPCConnection {
    /// Sends from any thread and waits for the outcome.
    func call(_ message: ByteBuffer, id: Int64?) async -> RPCOutcome {
        let promise = eventLoop.makePromise(of: RPCOutcome.self)
        eventLoop.execute {
            self.send(message, id: id) { promise.succeed($0) }
        }
        // The promise is always succeeded; `get` cannot throw here, but the API is throwing.
        return (try? await promise.futureResult.get()) ?? .failure("the event loop shut down")
    }
}
