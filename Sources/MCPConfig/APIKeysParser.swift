/// Reads `proxy.auth.apiKeys`: a list of `{ name, key | sha256, roles, scopes }`.
enum APIKeysParser {
    static let keys = ["name", "key", "sha256", "roles", "scopes"]

    /// The keys, or `nil` when any entry is unusable (every problem is reported).
    static func parse(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> [APIKeySetting]? {
        guard case .list(let items) = node.value else {
            reader.problem(path, "expected a list of keys, e.g. - { name: ci-bot, key: \"${CI_BOT_KEY}\", roles: [ci] }, found \(node.kindDescription)", line: node.line)
            return nil
        }
        var result: [APIKeySetting] = []
        var valid = true
        var seenNames: [String: Int] = [:]
        var seenCredentials: [APIKeyCredential: Int] = [:]
        for (index, item) in items.enumerated() {
            let here = path.index(index)
            guard let parsed = parseKey(item, at: here, reader: &reader) else {
                valid = false
                continue
            }
            if let first = seenNames[parsed.key.name] {
                reader.problem(here.key("name"), "the name '\(parsed.key.name)' is already used by \(path.index(first)); give each key its own name", line: parsed.nameLine)
                valid = false
            } else {
                seenNames[parsed.key.name] = index
            }
            if let first = seenCredentials[parsed.key.credential] {
                reader.problem(here, "the same key is already configured as \(path.index(first)); a key must name one principal", line: item.line)
                valid = false
            } else {
                seenCredentials[parsed.key.credential] = index
            }
            result.append(parsed.key)
        }
        return valid ? result : nil
    }

    private static func parseKey(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> (key: APIKeySetting, nameLine: Int?)? {
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping { name, key | sha256, roles }") else { return nil }
        reader.checkKeys(mapping, at: path, known: keys, what: "an API key")
        let problemsBefore = reader.problems.count

        var name: String?
        if let value = reader.optional(mapping, "name") {
            name = reader.nonEmptyString(value, at: path.key("name"), expected: "a name for the key's principal, e.g. ci-bot")
        } else {
            reader.problem(path.key("name"), "missing: add name: <the principal this key stands for>, e.g. name: ci-bot", line: node.line)
        }
        let credential = readCredential(mapping, node: node, at: path, reader: &reader)
        var key = APIKeySetting(name: name ?? "", credential: credential ?? .key(""))
        if let value = reader.optional(mapping, "roles"), let roles = reader.nameList(value, at: path.key("roles"), itemExpected: "a role name") {
            key.roles = roles
        }
        if let value = reader.optional(mapping, "scopes"), let scopes = reader.nameList(value, at: path.key("scopes"), itemExpected: "a scope") {
            key.scopes = scopes
        }
        guard reader.problems.count == problemsBefore else { return nil }
        return (key, mapping.entry("name")?.value.line)
    }

    private static func readCredential(_ mapping: ConfigNode.Mapping, node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> APIKeyCredential? {
        let keyNode = reader.optional(mapping, "key")
        let hashNode = reader.optional(mapping, "sha256")
        switch (keyNode, hashNode) {
        case (nil, nil):
            reader.problem(path, "needs the key: add key: \"${SOME_KEY}\" or sha256: <64 hex characters of the key's SHA-256>", line: node.line)
            return nil
        case (.some, .some):
            reader.problem(path.key("sha256"), "key and sha256 are mutually exclusive: give the key or its SHA-256, not both", line: mapping.entry("sha256")?.keyLine)
            return nil
        case (let value?, nil):
            guard let text = reader.nonEmptyString(value, at: path.key("key"), expected: "the API key, e.g. \"${CI_BOT_KEY}\"") else { return nil }
            if text.utf8.count < 16 {
                reader.warning(path.key("key"), "the key is only \(text.utf8.count) characters; a random key of 32 or more (openssl rand -hex 32) cannot be guessed", line: value.line)
            }
            return .key(text)
        case (nil, let value?):
            guard let text = reader.nonEmptyString(value, at: path.key("sha256"), expected: "the SHA-256 of the key in hex") else { return nil }
            let hex = text.lowercased()
            guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                reader.problem(path.key("sha256"), "expected 64 hex characters (the SHA-256 of the key, e.g. from printf %s \"$KEY\" | sha256sum), found \(text.utf8.count) characters\(hex.utf8.count == 64 ? " that are not all hex" : "")", line: value.line)
                return nil
            }
            return .sha256(hex)
        }
    }
}
