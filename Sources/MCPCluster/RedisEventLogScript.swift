import MCPRedis

/// The Lua script that appends one message to a session's GET-stream log and announces it:
/// `XADD` (trimmed to about `maxLength` entries), `PEXPIRE` (the session idle timeout), then
/// `PUBLISH` of `E<entry id> <message>` on the session's channel, so the replica holding the GET
/// stream writes it at once, with the id that a resuming client names in `Last-Event-ID`.
///
/// KEYS[1]: the log. ARGV: max length, message, TTL in milliseconds, channel. Reply: the entry id.
enum RedisEventLogScript {
    static let script = RedisScript("""
    local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'm', ARGV[2])
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    redis.call('PUBLISH', ARGV[4], 'E' .. id .. ' ' .. ARGV[2])
    return id
    """)
}
