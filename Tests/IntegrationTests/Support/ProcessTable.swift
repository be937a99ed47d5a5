import Foundation

/// Reads /proc to find a process's children and whether a process still runs.
enum ProcessTable {
    struct Entry: CustomStringConvertible {
        let pid: Int32
        let name: String
        var description: String { "\(pid) \(name)" }
    }

    /// Processes whose parent is `parent`.
    static func children(of parent: Int32) -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Entry? in
            guard let pid = Int32(name), let stat = self.stat(pid), stat.parent == parent else { return nil }
            return Entry(pid: pid, name: stat.name)
        }
    }

    /// True when `pid` exists and is not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = stat(pid) else { return false }
        return stat.state != "Z" && stat.state != "X"
    }

    /// Name, state and parent from /proc/<pid>/stat (the name may contain spaces and parentheses).
    private static func stat(_ pid: Int32) -> (name: String, state: Character, parent: Int32)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
        let name = String(text[text.index(after: open)..<close])
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let parent = Int32(fields[1]) else { return nil }
        return (name, state, parent)
    }
}
