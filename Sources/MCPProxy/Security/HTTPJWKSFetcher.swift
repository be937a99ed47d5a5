import AsyncHTTPClient
import MCPSecurity
import NIOCore

/// Fetches JWKS documents over HTTPS with AsyncHTTPClient (off the hot path: at start, when the
/// cache lifetime ends, and on an unknown `kid`, at most once per 30 s).
///
/// Plain `http://` is accepted only for a loopback host (a local identity provider in tests and
/// development); anything else must be `https://`.
public struct HTTPJWKSFetcher: JWKSFetcher {
    /// Largest JWKS document accepted.
    public static let maxBytes = 1 << 20

    private let client: HTTPClient
    private let timeout: TimeAmount

    /// Creates a fetcher on `client` (default: the process-wide shared client).
    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(10)) {
        self.client = client
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
    }

    public func fetchJWKS(from url: String) async throws -> [UInt8] {
        guard Self.isAllowed(url) else { throw JWKSFetchError("JWKS URL '\(url)' must use https:// (http:// is allowed only for a loopback host)") }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/jwk-set+json, application/json")
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            throw JWKSFetchError("cannot fetch the JWKS from \(url): \(error)")
        }
        guard response.status == .ok else {
            throw JWKSFetchError("the JWKS at \(url) answered HTTP \(response.status.code); check the jwks URL")
        }
        do {
            let body = try await response.body.collect(upTo: Self.maxBytes)
            return Array(body.readableBytesView)
        } catch {
            throw JWKSFetchError("the JWKS at \(url) is larger than \(Self.maxBytes) bytes or was cut off: \(error)")
        }
    }

    /// Whether `url` is https, or http on a loopback host.
    static func isAllowed(_ url: String) -> Bool {
        let lower = url.lowercased()
        if lower.hasPrefix("https://") { return true }
        guard lower.hasPrefix("http://") else { return false }
        let rest = lower.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let host: Substring
        if authority.hasPrefix("[") {
            host = authority.prefix { $0 != "]" }.dropFirst()
        } else {
            host = authority.prefix { $0 != ":" }
        }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// Why a JWKS document could not be fetched; the message says what to check.
public struct JWKSFetchError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}
