/// Why a ``Gateway`` could not do what it was asked; the message says what to change.
public struct GatewayError: Error, CustomStringConvertible, Sendable {
    /// What kind of problem it is.
    public enum Kind: Sendable, Equatable {
        /// The configuration has problems (every one is listed in the message).
        case config
        /// Not allowed in the gateway's current state (start twice, a listener change on reload).
        case state
        /// Something could not start: a listener could not bind, a part could not be built.
        case start
    }

    /// What kind of problem it is.
    public var kind: Kind
    /// What happened and what to do.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
