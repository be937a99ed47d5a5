import Foundation

/// Loads a configuration file (YAML, or JSON such as a desktop client's `mcpServers` file),
/// expands `${VAR}` references and validates it, reporting every problem at once.
public enum ConfigLoader {
    /// Reads and validates the configuration file at `path`.
    ///
    /// - Parameters:
    ///   - path: the file to read; problems name it as given.
    ///   - environment: where `${VAR}` references are looked up; the proxy's own environment by default.
    /// - Throws: ``ConfigError`` listing every problem, each with the file, line, key path and
    ///   what is expected.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> ProxyConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path)
                ? "cannot read the file (\(error.localizedDescription)); check its permissions"
                : "no such file; check the path"
            throw ConfigError(problems: [ConfigProblem(file: path, keyPath: "", message: reason)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(problems: [ConfigProblem(file: path, keyPath: "", message: "the file is not valid UTF-8 text; save it as UTF-8")])
        }
        var config = try load(text: text, sourceName: path, environment: environment)
        config.sourcePath = path
        return config
    }

    /// Validates configuration `text`.
    ///
    /// - Parameters:
    ///   - text: YAML or JSON.
    ///   - sourceName: how problems name the source, e.g. a path or `"<stdin>"`.
    ///   - environment: where `${VAR}` references are looked up.
    /// - Throws: ``ConfigError`` listing every problem.
    public static func load(text: String, sourceName: String, environment: [String: String]) throws(ConfigError) -> ProxyConfig {
        let root: ConfigNode
        switch DocumentParser.parse(text: text, file: sourceName) {
        case .document(let node):
            root = node
        case .empty:
            throw ConfigError(problems: [ConfigProblem(
                file: sourceName, keyPath: "",
                message: "the document is empty; add an mcpServers mapping with at least one server")])
        case .failed(let problems):
            throw ConfigError(problems: problems)
        }
        var reader = ConfigReader(file: sourceName, environment: environment)
        let config = DocumentValidator.validate(root, reader: &reader)
        if !reader.problems.isEmpty {
            throw ConfigError(problems: ordered(reader.problems))
        }
        return ProxyConfig(servers: config.servers, proxy: config.proxy,
                           warnings: ordered(reader.warnings).map(\.description), sourcePath: nil)
    }

    /// Problems sorted by line (stable), those without a line last.
    static func ordered(_ problems: [ConfigProblem]) -> [ConfigProblem] {
        problems.enumerated()
            .sorted { ($0.element.line ?? Int.max, $0.offset) < ($1.element.line ?? Int.max, $1.offset) }
            .map(\.element)
    }
}
