/// Reads the security sections of `proxy:` (`auth`, `authorization`, `rateLimits`) into
/// ``ProxySettings``, after `listen` (mTLS depends on its TLS settings).
enum SecuritySectionsParser {
    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        if let entry = mapping.entry("auth"), !entry.value.isNull {
            settings.auth = AuthSectionParser.parse(entry.value, keyLine: entry.keyLine, at: path.key("auth"), listen: settings.listen, reader: &reader)
        }
        if let value = reader.optional(mapping, "authorization") {
            settings.authorization = AuthorizationSectionParser.parse(value, at: path.key("authorization"), auth: settings.auth, reader: &reader)
        }
        if let value = reader.optional(mapping, "rateLimits") {
            settings.rateLimits = RateLimitsParser.parse(value, at: path.key("rateLimits"), reader: &reader)
        }
    }

    /// The security section a key written directly under `proxy:` belongs to, if any.
    static func home(of key: String) -> String? {
        if AuthSectionParser.keys.contains(key) || key == "apiKey" { return "auth" }
        if key == "rules" || key == "default" { return "authorization" }
        return nil
    }
}
