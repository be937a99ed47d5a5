import Foundation

/// `serve --watch-config`: checks the config file once a second and calls `changed` when its
/// contents differ from the last version seen (an editor's save, a Kubernetes ConfigMap
/// update). Contents, not timestamps, decide, so touching the file does nothing; a file being
/// written is read again on the next check, and a missing file is waited for.
final class ConfigFileWatch: Sendable {
    private let task: Task<Void, Never>

    init(path: String, interval: Duration = .seconds(1), changed: @escaping @Sendable () async -> Void) {
        task = Task {
            var last = FileManager.default.contents(atPath: path)
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let now = FileManager.default.contents(atPath: path), now != last else { continue }
                // Wait for the writer to finish: the same contents twice in a row.
                try? await Task.sleep(for: .milliseconds(200))
                guard FileManager.default.contents(atPath: path) == now else { continue }
                last = now
                await changed()
            }
        }
    }

    deinit {
        task.cancel()
    }
}
