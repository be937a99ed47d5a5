/// Matches an environment variable name against a glob with `*` (any run, also empty) and `?`
/// (one character); every other character matches itself. Small on purpose: transports may not
/// import MCPRouting's full glob engine.
enum EnvironmentNameGlob {
    static func matches(pattern: String, name: String) -> Bool {
        let pattern = Array(pattern.utf8)
        let name = Array(name.utf8)
        var p = 0
        var n = 0
        // Where the last `*` was, and the name position it is currently taken to reach.
        var star: Int?
        var starName = 0
        while n < name.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == name[n] && pattern[p] != UInt8(ascii: "*") {
                p += 1
                n += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                starName = n
                p += 1
            } else if let star {
                p = star + 1
                starName += 1
                n = starName
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
