/// What the replicas of one gateway share so that any of them can serve any session.
///
/// A session's state is sealed into its `Mcp-Session-Id` (``SessionSealer``): an authenticated
/// encryption any replica holding the keys opens without a lookup, so the hot path never waits
/// on a shared store.
public enum MCPCluster {}
