/// A connection the pool manages (an upstream MCP session, already initialized when the pool's
/// `open` closure returns it).
public protocol PooledConnection: AnyObject, Sendable {
    /// Whether it can take requests now (not stopped). The pool reads it whenever it looks at a
    /// connection (to lease it, to evict it, for ``ConnectionPool/usableConnections``), so it
    /// must be cheap and must not call back into the pool.
    var isUsable: Bool { get }

    /// Closes it for good; the pool calls this at most once per connection.
    func close() async
}
