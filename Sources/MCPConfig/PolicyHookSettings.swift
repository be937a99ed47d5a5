/// `proxy.policyHook`: an external policy service the proxy asks about matching requests (and,
/// with `response`, their results) before they go on.
public struct PolicyHookSettings: Sendable, Equatable {
    /// The URL each decision is POSTed to: `https://`, or `http://` to this machine.
    public var url: String
    /// Globs on the JSON-RPC method of the requests the hook is asked about.
    public var methods: [String]
    /// How long the proxy waits for the hook's answer, in milliseconds.
    public var timeoutMs: Double
    /// On a timeout or error of the hook: true lets the request through, false (the default) denies it.
    public var failOpen: Bool
    /// Also POST each result of a matching request before it goes to the client.
    public var response: Bool

    /// The methods asked about when `methods` is not given.
    public static let defaultMethods = ["tools/call"]
    /// The timeout when `timeoutMs` is not given.
    public static let defaultTimeoutMs: Double = 200

    /// Creates the setting; every parameter but the URL has the documented default.
    public init(url: String, methods: [String] = PolicyHookSettings.defaultMethods, timeoutMs: Double = PolicyHookSettings.defaultTimeoutMs,
                failOpen: Bool = false, response: Bool = false) {
        self.url = url
        self.methods = methods
        self.timeoutMs = timeoutMs
        self.failOpen = failOpen
        self.response = response
    }
}
