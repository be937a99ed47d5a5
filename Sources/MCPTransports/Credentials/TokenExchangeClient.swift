import AsyncHTTPClient
import Foundation
import JSONRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Exchanges a client's verified bearer token for a token of one upstream (RFC 8693 token
/// exchange) and caches the result per principal.
///
/// One client serves one upstream, so its cache is per (principal, upstream). An exchange is a
/// form POST to the token endpoint with `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`,
/// `subject_token` (the client's token), `subject_token_type=urn:ietf:params:oauth:token-type:access_token`,
/// `audience` and `scope`, authenticated with the proxy's client id and secret as HTTP Basic
/// (`client_secret_basic`). The answer's `access_token` is cached until its `expires_in` minus
/// ``TokenExchangeConfiguration/clockSkew``, and never beyond the client's own token (`exp`).
/// Concurrent lookups for the same principal share one exchange (one miss); failures are not
/// cached (each is counted as a failure too).
///
/// Tokens and the secret never appear in errors or logs.
public final class TokenExchangeClient: Sendable {
    /// The upstream this client gets tokens for (errors name it).
    public let upstream: String
    /// The settings.
    public let configuration: TokenExchangeConfiguration
    /// Tokens kept at most; expired ones are swept when it is full, then the oldest go.
    public let capacity: Int

    private let httpClient: HTTPClient
    private let now: @Sendable () -> Double
    private let onOutcome: @Sendable (TokenExchangeOutcome) -> Void
    private let state = NIOLockedValueBox(State())
    private let authorization: String
    private let form: String

    private struct Cached {
        let token: String
        let validUntil: Double
        let stored: UInt64
    }

    private struct State {
        var cache: [String: Cached] = [:]
        var inFlight: [String: Task<Result<String, UpstreamCredentialError>, Never>] = [:]
        var counts: [TokenExchangeOutcome: Int] = [:]
        var serial: UInt64 = 0
    }

    static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - httpClient: the client to POST with (shared with the upstream transports is fine); nil:
    ///     AsyncHTTPClient's process-wide shared client.
    ///   - now: the wall clock in seconds since 1970 (tests move it).
    ///   - onOutcome: told about every lookup (hit, miss, failure), for counters.
    public init(
        upstream: String, configuration: TokenExchangeConfiguration, httpClient: HTTPClient?, capacity: Int = 10_000,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
        onOutcome: @escaping @Sendable (TokenExchangeOutcome) -> Void = { _ in }
    ) {
        self.upstream = upstream
        self.configuration = configuration
        self.httpClient = httpClient ?? HTTPClient.shared
        self.capacity = max(1, capacity)
        self.now = now
        self.onOutcome = onOutcome
        let pair = Self.formEncode(configuration.clientID) + ":" + Self.formEncode(configuration.clientSecret)
        self.authorization = "Basic " + Data(pair.utf8).base64EncodedString()
        var form = "grant_type=" + Self.formEncode(Self.grantType)
            + "&subject_token_type=" + Self.formEncode(Self.accessTokenType)
        if let audience = configuration.audience { form += "&audience=" + Self.formEncode(audience) }
        if let scope = configuration.scope { form += "&scope=" + Self.formEncode(scope) }
        self.form = form
    }

    /// How many lookups came to `outcome` so far.
    public func count(_ outcome: TokenExchangeOutcome) -> Int {
        state.withLockedValue { $0.counts[outcome] ?? 0 }
    }

    /// The cached token for `principal` when it is still valid (a hit); nil otherwise, without
    /// counting: the caller then calls ``token(for:)``.
    public func cachedToken(for principal: Principal) -> String? {
        let moment = now()
        let token = state.withLockedValue { state -> String? in
            guard let entry = state.cache[principal.identityKey] else { return nil }
            guard moment < entry.validUntil else {
                state.cache[principal.identityKey] = nil
                return nil
            }
            state.counts[.hit, default: 0] += 1
            return entry.token
        }
        if token != nil { onOutcome(.hit) }
        return token
    }

    /// A token for `principal`: the cached one, or a new exchange (shared with concurrent callers
    /// for the same principal).
    ///
    /// - Throws: why no token could be had; the message names the upstream and never contains a token.
    public func token(for principal: Principal) async throws(UpstreamCredentialError) -> String {
        if let cached = cachedToken(for: principal) { return cached }
        let key = principal.identityKey
        let (task, started) = state.withLockedValue { state -> (Task<Result<String, UpstreamCredentialError>, Never>, Bool) in
            if let running = state.inFlight[key] { return (running, false) }
            state.counts[.miss, default: 0] += 1
            let task = Task { [self] in
                let result = await self.exchange(for: principal)
                let failed = self.state.withLockedValue { state -> Bool in
                    state.inFlight[key] = nil
                    guard case .failure = result else { return false }
                    state.counts[.failure, default: 0] += 1
                    return true
                }
                if failed { self.onOutcome(.failure) }
                return result
            }
            state.inFlight[key] = task
            return (task, true)
        }
        if started { onOutcome(.miss) }
        return try await task.value.get()
    }

    /// Forgets every cached token (a reload, a test).
    public func clear() {
        state.withLockedValue { $0.cache.removeAll() }
    }

    // MARK: The exchange

    private func exchange(for principal: Principal) async -> Result<String, UpstreamCredentialError> {
        guard let subject = principal.subjectToken else {
            return .failure(failure("the client has no bearer token to exchange (it was authenticated by \(principal.method.rawValue)); clients of this server must authenticate with a JWT bearer token"))
        }
        var request = HTTPClientRequest(url: configuration.tokenEndpoint)
        request.method = .POST
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.replaceOrAdd(name: "Accept", value: "application/json")
        request.headers.replaceOrAdd(name: "Authorization", value: authorization)
        if let tls = configuration.tls {
            do {
                request.tlsConfiguration = try tls.makeTLSConfiguration()
            } catch {
                return .failure(failure("cannot use the TLS settings of the token endpoint: \(error.message)"))
            }
        }
        request.body = .bytes(ByteBuffer(string: form + "&subject_token=" + Self.formEncode(subject.value)))
        let started = now()
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await httpClient.execute(request, deadline: .now() + TimeAmount(configuration.timeout))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            return .failure(failure("the token endpoint \(configuration.tokenEndpoint) could not be reached: \(describeHTTPError(error))"))
        }
        let json = try? JSONView.parse(body, limits: ScanLimits(maxMessageBytes: 1 << 20, maxDepth: 16))
        guard (200..<300).contains(response.status.code) else {
            var detail = "HTTP \(response.status.code)"
            if let code = json?["error"]?.string { detail += " \(Self.printable(code))" }
            if let text = json?["error_description"]?.string { detail += " (\(Self.printable(text)))" }
            return .failure(failure("the token endpoint \(configuration.tokenEndpoint) refused the exchange: \(detail)"))
        }
        guard let json, let token = json["access_token"]?.string, !token.isEmpty else {
            return .failure(failure("the token endpoint \(configuration.tokenEndpoint) answered without an access_token"))
        }
        guard token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return .failure(failure("the token endpoint \(configuration.tokenEndpoint) answered with an access_token that cannot be sent in a header"))
        }
        let lifetime = json["expires_in"]?.double ?? Self.seconds(TokenExchangeConfiguration.defaultLifetime)
        var validUntil = started + lifetime - Self.seconds(configuration.clockSkew)
        if let expiresAt = principal.expiresAt { validUntil = min(validUntil, expiresAt) }
        if validUntil > started { store(token, validUntil: validUntil, for: principal.identityKey, at: started) }
        return .success(token)
    }

    private func store(_ token: String, validUntil: Double, for key: String, at moment: Double) {
        state.withLockedValue { state in
            state.serial &+= 1
            state.cache[key] = Cached(token: token, validUntil: validUntil, stored: state.serial)
            guard state.cache.count > capacity else { return }
            state.cache = state.cache.filter { $0.value.validUntil > moment }
            while state.cache.count > capacity, let oldest = state.cache.min(by: { $0.value.stored < $1.value.stored }) {
                state.cache[oldest.key] = nil
            }
        }
    }

    private func failure(_ detail: String) -> UpstreamCredentialError {
        UpstreamCredentialError("token exchange for upstream '\(upstream)' failed: \(detail)")
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// At most 200 printable characters of a server's text, for messages.
    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(200).map(Character.init))
    }

    /// `application/x-www-form-urlencoded` encoding of one value (also how RFC 6749 §2.3.1
    /// encodes the client id and secret before Basic authentication).
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
