import Foundation

/// Where the running binary lives (example-server is installed beside it).
enum ExecutableLocation {
    static func directory() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return (resolved as NSString).deletingLastPathComponent
        }
        let argument0 = CommandLine.arguments.first ?? "."
        let absolute = argument0.hasPrefix("/") ? argument0 : FileManager.default.currentDirectoryPath + "/" + argument0
        return ((absolute as NSString).standardizingPath as NSString).deletingLastPathComponent
    }
}
