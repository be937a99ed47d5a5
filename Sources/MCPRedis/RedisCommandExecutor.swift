/// What the proxy needs from a Redis client: commands, pipelines and scripts. This is the seam
/// a maintained client (RediStack, valkey-swift) would implement to replace this module's
/// ``RedisConnectionPool``; the typed helpers (`get`, `set`, `xadd`, ...) are built on it.
public protocol RedisCommandExecutor: Sendable {
    /// Sends one command and returns its reply. An error reply throws
    /// ``RedisError/serverError(_:)``; a lost connection ``RedisError/connectionClosed``; no
    /// reply in time ``RedisError/timeout(command:milliseconds:)``.
    func send(_ command: RedisCommand) async throws(RedisError) -> RESPValue

    /// Sends several commands in one write and returns their replies in order. Error replies
    /// stay in the array as ``RESPValue/simpleError(_:)`` values (one failing command does not
    /// hide the others' replies); a lost connection or timeout throws.
    func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RESPValue]

    /// Runs a Lua script by its SHA-1 (`EVALSHA`), sending its source (`EVAL`) when the server
    /// replies `NOSCRIPT`, and returns the script's reply.
    func run(_ script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument]) async throws(RedisError) -> RESPValue
}

extension RedisCommandExecutor {
    /// Sends a command given as its name and arguments: `send("INCRBY", "counter", 5)`.
    public func send(_ name: String, _ arguments: RedisArgument...) async throws(RedisError) -> RESPValue {
        try await self.send(RedisCommand(name, arguments))
    }

    /// Runs the script with `EVALSHA`, and with `EVAL` (which caches it) when the server does not
    /// know the SHA (after a restart or `SCRIPT FLUSH`).
    public func run(_ script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument]) async throws(RedisError) -> RESPValue {
        do {
            return try await self.send(script.evalSHA(keys: keys, arguments: arguments))
        } catch where error.serverErrorCode == "NOSCRIPT" {
            return try await self.send(script.eval(keys: keys, arguments: arguments))
        }
    }
}

/// Turns a reply into the result of ``RedisCommandExecutor/send(_:)``: error replies throw.
@inline(__always)
func throwingServerErrors(_ value: RESPValue) throws(RedisError) -> RESPValue {
    if let message = value.errorMessage { throw .serverError(message) }
    return value
}
