/// Fetches a JWKS document; the proxy implements it over HTTPS, tests with a fake.
public protocol JWKSFetcher: Sendable {
    /// The raw bytes of the JWKS document at `url`.
    func fetchJWKS(from url: String) async throws -> [UInt8]
}
