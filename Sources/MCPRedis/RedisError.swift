/// Everything that goes wrong talking to Redis. Every case's ``description`` says what
/// happened and what to do about it.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A Redis URL could not be read; the text says which part is wrong.
    case invalidURL(String)
    /// No connection could be made (refused, unreachable, TLS or authentication failed, or every
    /// connection of the pool is down); the text names the server and the cause.
    case connectionFailed(String)
    /// The connection closed (the server went away, restarted, or the client was closed) before
    /// the reply came. The command may or may not have run on the server.
    case connectionClosed
    /// No reply came within the command's timeout (the command may still run on the server).
    case timeout(command: String, milliseconds: Int64)
    /// The server answered with an error reply (`-ERR ...`, `-NOSCRIPT ...`, `-WRONGTYPE ...`).
    case serverError(String)
    /// The server sent something this client cannot read, or a reply broke ``RESPLimits``, or a
    /// reply had a type the command does not return; the connection is closed.
    case protocolError(String)
    /// The client (pool or subscriber) was shut down with ``RedisConnectionPool/close()``.
    case clientClosed

    /// What happened and what to do.
    public var description: String {
        switch self {
        case .invalidURL(let reason):
            return "invalid Redis URL: \(reason) (expected redis://[user:password@]host[:port][/db] or rediss:// for TLS)"
        case .connectionFailed(let reason):
            return "cannot connect to Redis: \(reason) (check that redis-server runs and the URL, password and TLS settings are right; the client keeps reconnecting)"
        case .connectionClosed:
            return "the connection to Redis closed before the reply came (Redis restarted or the network failed; the command may have run; the client reconnects, retry if the command is idempotent)"
        case .timeout(let command, let milliseconds):
            return "Redis did not answer \(command) within \(milliseconds) ms (Redis is overloaded or unreachable; raise the command timeout if the command is slow by nature)"
        case .serverError(let message):
            return "Redis replied with an error: \(message)"
        case .protocolError(let reason):
            return "Redis protocol error: \(reason); the connection was closed and is reopened"
        case .clientClosed:
            return "the Redis client was closed: make a new one to send more commands"
        }
    }

    /// The error code of a server error: its first word (`NOSCRIPT`, `WRONGTYPE`, `ERR`); `nil`
    /// for other cases.
    public var serverErrorCode: Substring? {
        guard case .serverError(let message) = self else { return nil }
        return message.split(separator: " ", maxSplits: 1).first
    }
}
