/// When the proxy starts an upstream server.
public enum StartupMode: String, Sendable, Equatable, CaseIterable {
    /// Start the upstream when the proxy starts (the default).
    case eager
    /// Start the upstream the first time a request needs it.
    case lazy
}
