/// A Lua script run by its SHA-1 (`EVALSHA`), with its source at hand for when the server does
/// not know it yet (after a restart or `SCRIPT FLUSH`): ``RedisCommandExecutor/run(_:keys:arguments:)``
/// then sends `EVAL` with the source, which also caches it, and later runs go by SHA again.
///
/// Make scripts once (the SHA-1 is computed when the script is made) and keep them in a `static let`.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The SHA-1 of the source as 40 lowercase hex digits, as `SCRIPT LOAD` returns it.
    public let sha1: String

    /// Makes a script and computes its SHA-1.
    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hex(source.utf8)
    }

    /// The `EVALSHA` command that runs the script with the given keys and arguments.
    public func evalSHA(keys: [RedisArgument], arguments: [RedisArgument]) -> RedisCommand {
        RedisCommand("EVALSHA", [.string(self.sha1), .integer(Int64(keys.count))] + keys + arguments)
    }

    /// The `EVAL` command that sends the source (and so caches it on the server).
    public func eval(keys: [RedisArgument], arguments: [RedisArgument]) -> RedisCommand {
        RedisCommand("EVAL", [.string(self.source), .integer(Int64(keys.count))] + keys + arguments)
    }
}
