/// Headers an upstream transport adds to each of its HTTP requests that are not known when the
/// transport is configured: values rendered from the client's principal (`X-User:
/// ${principal.subject}`) and a bearer token obtained for that principal (RFC 8693 token
/// exchange), which expires and is refreshed.
///
/// The Streamable HTTP transport asks ``readyHeaders()`` before every POST (and GET or DELETE);
/// it must be cheap (a lock and a cache lookup). Only when it answers nil does the transport
/// call ``fetchHeaders()`` in a task, and sends once that returned. When ``fetchHeaders()``
/// throws, the request is not sent: the proxy gets an error response that names the upstream and
/// the reason, and the upstream is not contacted.
public protocol UpstreamCredentials: Sendable {
    /// The headers for the next request when they are at hand now (nothing to fetch); nil when
    /// ``fetchHeaders()`` must run first.
    func readyHeaders() -> [(name: String, value: String)]?

    /// The headers for the next request, fetching what is missing (a token exchange).
    ///
    /// - Throws: ``UpstreamCredentialError`` saying what failed and what to do; its message goes
    ///   to the client in the error response for the request that needed it.
    func fetchHeaders() async throws(UpstreamCredentialError) -> [(name: String, value: String)]
}

/// Why the credentials for an upstream request could not be produced.
public struct UpstreamCredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for the client and the log. Never contains a token or a secret.
    public let message: String

    /// Creates an error with a message that never contains a token or a secret.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
