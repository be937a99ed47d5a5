import MCPRedis

/// The Lua script that checks and charges several token buckets in Redis atomically: every
/// bucket must hold a token, or none is charged (as in the in-memory limiter). Time comes from
/// the Redis server (`TIME`), so the replicas' clocks do not matter.
///
/// KEYS: the buckets. ARGV: the idle TTL in milliseconds, then `rate`, `burst` per bucket.
/// Reply: `{1, 0, 0}` allowed; `{0, wait_us, i}` refused, bucket `i` (1-based) waits longest.
/// Tokens are stored as text so fractions survive (Redis turns Lua numbers into integers).
enum RedisTokenBucketScript {
    static let script = RedisScript("""
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local tokens = {}
    local wait = 0
    local refusing = 0
    for i = 1, #KEYS do
      local rate = tonumber(ARGV[2 * i])
      local burst = tonumber(ARGV[2 * i + 1])
      local state = redis.call('HMGET', KEYS[i], 't', 'ts')
      local tok = tonumber(state[1])
      local ts = tonumber(state[2])
      if tok == nil or ts == nil then tok = burst; ts = now end
      local elapsed = now - ts
      if elapsed < 0 then elapsed = 0 end
      tok = math.min(burst, tok + elapsed * rate / 1000000)
      tokens[i] = tok
      if tok < 1 then
        local w = math.ceil((1 - tok) * 1000000 / rate)
        if w >= wait then wait = w; refusing = i end
      end
    end
    if refusing > 0 then return {0, wait, refusing} end
    for i = 1, #KEYS do
      redis.call('HSET', KEYS[i], 't', tostring(tokens[i] - 1), 'ts', tostring(now))
      redis.call('PEXPIRE', KEYS[i], ARGV[1])
    end
    return {1, 0, 0}
    """)
}
