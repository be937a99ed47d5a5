/// MCPPool: a generic pool of upstream sessions over a small connection protocol
/// (``PooledConnection``). Many client sessions share a few connections through shared leases;
/// calls that need a connection to themselves take an exclusive lease. It knows nothing of MCP,
/// HTTP or stdio: ``ConnectionPool`` is the entry point.
public enum MCPPool {}
