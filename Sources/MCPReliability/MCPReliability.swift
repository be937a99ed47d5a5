/// MCPReliability: failure policy as plain values and small state machines (circuit breaker,
/// retry with backoff and budget, bulkheads, restart backoff), driven by an injectable clock.
/// It imports nothing of this package, so each piece is tested alone with a fake clock.
public enum MCPReliability {}
