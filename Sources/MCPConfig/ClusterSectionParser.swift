/// Reads `proxy.cluster` into ``ProxySettings/cluster``.
enum ClusterSectionParser {
    static let topKeys = ["cluster"]
    static let keys = ["sessionKeys", "redis", "replicaId"]
    static let redisKeys = ["url", "failOpen"]
    static let hints = [
        "keys": "write it as sessionKeys (a list of base64 32-byte keys)",
        "sessionKey": "write it as sessionKeys, a list: the first seals, all open",
        "replicaID": "write it as replicaId",
        "redisUrl": "write it as redis: { url: ... }",
    ]

    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard let node = reader.optional(mapping, "cluster") else { return }
        let here = path.key("cluster")
        guard let section = reader.mapping(node, at: here, expected: "a mapping (sessionKeys, redis, replicaId)") else { return }
        reader.checkKeys(section, at: here, known: keys, hints: hints, what: "proxy.cluster")
        guard let keysNode = reader.optional(section, "sessionKeys") else {
            reader.problem(here, "sessionKeys is required: at least one base64 32-byte key (openssl rand -base64 32)", line: node.line)
            return
        }
        guard let sessionKeys = reader.stringList(keysNode, at: here.key("sessionKeys")) else { return }
        var valid = !sessionKeys.isEmpty
        if sessionKeys.isEmpty {
            reader.problem(here.key("sessionKeys"), "give at least one base64 32-byte key (openssl rand -base64 32)", line: keysNode.line)
        }
        for (index, key) in sessionKeys.enumerated() {
            if let problem = keyProblem(key) {
                reader.problem(here.key("sessionKeys").index(index), problem, line: keysNode.line)
                valid = false
            }
        }
        var cluster = ClusterSettings(sessionKeys: sessionKeys)
        if let redisNode = reader.optional(section, "redis") {
            let redisPath = here.key("redis")
            if let redis = reader.mapping(redisNode, at: redisPath, expected: "a mapping (url, failOpen)") {
                reader.checkKeys(redis, at: redisPath, known: redisKeys, what: "proxy.cluster.redis")
                if let value = reader.optional(redis, "url"),
                   let url = reader.nonEmptyString(value, at: redisPath.key("url"), expected: "a redis:// or rediss:// URL") {
                    if url.hasPrefix("redis://") || url.hasPrefix("rediss://") {
                        cluster.redisURL = url
                    } else {
                        reader.problem(redisPath.key("url"), "expected a redis:// or rediss:// URL, found '\(url)'", line: value.line)
                    }
                } else if reader.optional(redis, "url") == nil {
                    reader.problem(redisPath, "url is required, e.g. redis://127.0.0.1:6379/0", line: redisNode.line)
                }
                if let value = reader.optional(redis, "failOpen"),
                   let choice = reader.choice(value, at: redisPath.key("failOpen"), allowed: ClusterSettings.RedisFailOpen.allCases.map(\.rawValue)),
                   let mode = ClusterSettings.RedisFailOpen(rawValue: choice) {
                    cluster.redisFailOpen = mode
                }
            }
        }
        if let value = reader.optional(section, "replicaId"),
           let id = reader.nonEmptyString(value, at: here.key("replicaId"), expected: "a replica name") {
            cluster.replicaID = id
        }
        if valid { settings.cluster = cluster }
    }

    /// Why `key` is not a base64 encoding of 32 bytes, or nil when it is.
    static func keyProblem(_ key: String) -> String? {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")
        let body = key.reversed().drop(while: { $0 == "=" })
        guard !body.isEmpty, body.allSatisfy({ alphabet.contains($0) }) else {
            return "not base64; generate a key with `openssl rand -base64 32`"
        }
        let bytes = body.count * 6 / 8
        guard bytes == 32 else {
            return "decodes to \(bytes) bytes; a session key is 32 bytes (`openssl rand -base64 32`)"
        }
        return nil
    }
}
