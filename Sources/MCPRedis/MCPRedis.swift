/// A small Redis client speaking RESP3 over SwiftNIO: what the proxy's replicas share (rate
/// limits, revocations, server-to-client delivery, resumable streams) goes through it.
///
/// It is written for the proxy's needs (pipelined commands from many tasks, pub/sub, scripts
/// by SHA) and sits behind ``RedisCommandExecutor`` so a maintained client can replace it.
public enum MCPRedis {}
