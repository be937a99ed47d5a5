import NIOCore

/// Typed helpers for the commands the proxy's scale-out uses, on any ``RedisCommandExecutor``.
/// A reply of an unexpected type throws ``RedisError/protocolError(_:)``.
extension RedisCommandExecutor {
    /// `GET key`: the value, or `nil` when the key does not exist.
    public func get(_ key: String) async throws(RedisError) -> ByteBuffer? {
        let reply = try await self.send(RedisCommand("GET", [.string(key)]))
        if reply.isNull { return nil }
        guard let bytes = reply.bytes else { throw Self.unexpected(reply, for: "GET") }
        return bytes
    }

    /// `SET key value [PX milliseconds] [NX]`: returns whether the value was set (always true
    /// without `onlyIfAbsent`; false when NX found the key).
    @discardableResult
    public func set(_ key: String, to value: RedisArgument, expireMilliseconds: Int64? = nil, onlyIfAbsent: Bool = false) async throws(RedisError) -> Bool {
        var arguments: [RedisArgument] = [.string(key), value]
        if let expireMilliseconds { arguments += ["PX", .integer(expireMilliseconds)] }
        if onlyIfAbsent { arguments.append("NX") }
        let reply = try await self.send(RedisCommand("SET", arguments))
        return !reply.isNull
    }

    /// `DEL key...`: how many of the keys existed.
    @discardableResult
    public func delete(_ keys: [String]) async throws(RedisError) -> Int {
        try await self.integer(RedisCommand("DEL", keys.map { .string($0) }))
    }

    /// `PEXPIRE key milliseconds`: whether the key exists (and now expires).
    @discardableResult
    public func pexpire(_ key: String, milliseconds: Int64) async throws(RedisError) -> Bool {
        try await self.integer(RedisCommand("PEXPIRE", [.string(key), .integer(milliseconds)])) == 1
    }

    /// `PUBLISH channel message`: how many subscribers (on this server) received it.
    @discardableResult
    public func publish(channel: String, message: RedisArgument) async throws(RedisError) -> Int {
        try await self.integer(RedisCommand("PUBLISH", [.string(channel), message]))
    }

    /// `SADD key member...`: how many members were new.
    @discardableResult
    public func sadd(_ key: String, members: [RedisArgument]) async throws(RedisError) -> Int {
        try await self.integer(RedisCommand("SADD", [.string(key)] + members))
    }

    /// `SISMEMBER key member`: whether the member is in the set.
    public func sismember(_ key: String, member: RedisArgument) async throws(RedisError) -> Bool {
        let reply = try await self.send(RedisCommand("SISMEMBER", [.string(key), member]))
        if case .boolean(let value) = reply { return value }
        guard let value = reply.int else { throw Self.unexpected(reply, for: "SISMEMBER") }
        return value == 1
    }

    /// `XADD key [MAXLEN ~ maxLength] id field value...`: appends an entry to a stream and returns
    /// its id. With `maxLength`, the stream is trimmed to about that many entries (`~` lets Redis
    /// trim whole nodes, which is much cheaper than an exact length).
    @discardableResult
    public func xadd(_ key: String, id: String = "*", maxLength: Int? = nil, fields: [RedisStreamField]) async throws(RedisError) -> String {
        var arguments: [RedisArgument] = [.string(key)]
        if let maxLength { arguments += ["MAXLEN", "~", .integer(Int64(maxLength))] }
        arguments.append(.string(id))
        for field in fields { arguments += [.string(field.name), .bytes(field.value)] }
        let reply = try await self.send(RedisCommand("XADD", arguments))
        guard let entryID = reply.string else { throw Self.unexpected(reply, for: "XADD") }
        return entryID
    }

    /// `XRANGE key start end [COUNT count]`: the entries with ids from `start` to `end`
    /// (inclusive; `-` and `+` for the ends, `(id` for exclusive).
    public func xrange(_ key: String, from start: String = "-", to end: String = "+", count: Int? = nil) async throws(RedisError) -> [RedisStreamEntry] {
        var arguments: [RedisArgument] = [.string(key), .string(start), .string(end)]
        if let count { arguments += ["COUNT", .integer(Int64(count))] }
        let reply = try await self.send(RedisCommand("XRANGE", arguments))
        return try RedisStreamEntry.entries(of: reply, command: "XRANGE")
    }

    /// `XREAD [COUNT count] STREAMS key... id...` without blocking: for each stream, the entries
    /// after the given id. Streams with no new entries are left out.
    ///
    /// There is no `BLOCK` here on purpose: a blocking read would hold a pooled connection and
    /// every command pipelined behind it.
    public func xread(_ streams: [(key: String, after: String)], count: Int? = nil) async throws(RedisError) -> [(key: String, entries: [RedisStreamEntry])] {
        var arguments: [RedisArgument] = []
        if let count { arguments += ["COUNT", .integer(Int64(count))] }
        arguments.append("STREAMS")
        arguments += streams.map { .string($0.key) }
        arguments += streams.map { .string($0.after) }
        let reply = try await self.send(RedisCommand("XREAD", arguments))
        if reply.isNull { return [] }
        var pairs: [(RESPValue, RESPValue)] = []
        switch reply {
        case .map(let entries):
            pairs = entries.map { ($0.key, $0.value) }
        case .array(let streams?):
            for stream in streams {
                guard let parts = stream.elements, parts.count == 2 else { throw Self.unexpected(reply, for: "XREAD") }
                pairs.append((parts[0], parts[1]))
            }
        default:
            throw Self.unexpected(reply, for: "XREAD")
        }
        var result: [(key: String, entries: [RedisStreamEntry])] = []
        for (key, entries) in pairs {
            guard let name = key.string else { throw Self.unexpected(reply, for: "XREAD") }
            result.append((name, try RedisStreamEntry.entries(of: entries, command: "XREAD")))
        }
        return result
    }

    private func integer(_ command: RedisCommand) async throws(RedisError) -> Int {
        let reply = try await self.send(command)
        guard let value = reply.int else { throw Self.unexpected(reply, for: command.name) }
        return Int(value)
    }

    static func unexpected(_ reply: RESPValue, for command: String) -> RedisError {
        .protocolError("\(command) returned a \(reply.typeName) reply, which it never returns (is this a Redis server of version 6 or newer?)")
    }
}

/// A field of a stream entry: a name and its bytes.
public struct RedisStreamField: Sendable, Hashable {
    /// The field's name.
    public var name: String
    /// The field's value.
    public var value: ByteBuffer

    /// Makes a field from bytes.
    public init(_ name: String, _ value: ByteBuffer) {
        self.name = name
        self.value = value
    }

    /// Makes a field from text.
    public init(_ name: String, _ value: String) {
        self.init(name, ByteBuffer(string: value))
    }
}

/// An entry of a Redis stream: its id (`1700000000000-0`) and fields in order.
public struct RedisStreamEntry: Sendable, Hashable {
    /// The entry's id.
    public var id: String
    /// The entry's fields, in the order they were added.
    public var fields: [RedisStreamField]

    /// Makes an entry.
    public init(id: String, fields: [RedisStreamField]) {
        self.id = id
        self.fields = fields
    }

    /// The value of the first field with this name.
    public subscript(field name: String) -> ByteBuffer? {
        self.fields.first { $0.name == name }?.value
    }

    static func entries(of reply: RESPValue, command: String) throws(RedisError) -> [RedisStreamEntry] {
        if reply.isNull { return [] }
        guard let items = reply.elements else { throw unexpected(reply, command) }
        var entries: [RedisStreamEntry] = []
        entries.reserveCapacity(items.count)
        for item in items {
            guard let parts = item.elements, parts.count == 2, let id = parts[0].string else { throw unexpected(reply, command) }
            var fields: [RedisStreamField] = []
            if let values = parts[1].elements {
                var index = 0
                while index + 1 < values.count {
                    guard let name = values[index].string, let value = values[index + 1].bytes else { throw unexpected(reply, command) }
                    fields.append(RedisStreamField(name, value))
                    index += 2
                }
            } else if case .map(let pairs) = parts[1] {
                for pair in pairs {
                    guard let name = pair.key.string, let value = pair.value.bytes else { throw unexpected(reply, command) }
                    fields.append(RedisStreamField(name, value))
                }
            }
            entries.append(RedisStreamEntry(id: id, fields: fields))
        }
        return entries
    }

    private static func unexpected(_ reply: RESPValue, _ command: String) -> RedisError {
        .protocolError("\(command) returned a reply not shaped like stream entries (\(reply.typeName))")
    }
}
