import Foundation

/// The error thrown when a configuration cannot be used: every problem found, not just the first.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// All problems, in the order they occur in the file.
    public var problems: [ConfigProblem]

    /// Creates an error from its problems.
    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    /// One line a problem, each `file:line: keyPath: message`.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}
