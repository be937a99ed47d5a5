import ArgumentParser
import Foundation
import MCPConfig
import MCPSecurity

extension MCPProxyCommand {
    /// `mcp-proxy token`: mints an HS256 token for a gateway whose `proxy.auth.jwt` has a `secret`.
    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a signed JWT for trying a gateway configured with proxy.auth.jwt.secret (development only).",
            discussion: """
            Reads the secret, issuer and audience from the config file, so the token is one the
            gateway accepts. Tokens for production come from your identity provider.

              TOKEN=$(mcp-proxy token --config gateway.yaml --subject alice --role reader)
              curl -H "Authorization: Bearer $TOKEN" ...
            """)

        @Option(name: .shortAndLong, help: "The gateway's config file.")
        var config: String

        @Option(help: "The token's subject (sub).")
        var subject: String

        @Option(name: .customLong("role"), help: "A role to put in the roles claim (repeat for more).")
        var roles: [String] = []

        @Option(name: .customLong("scope"), help: "An OAuth scope (repeat for more).")
        var scopes: [String] = []

        @Option(help: "Lifetime in seconds.")
        var ttl: Int = 3600

        func run() async throws {
            let loaded: ProxyConfig
            do {
                loaded = try ConfigLoader.load(path: config)
            } catch {
                FileHandle.standardError.write(Data("mcp-proxy token: \(error)\n".utf8))
                throw ExitCode(2)
            }
            guard let jwt = loaded.proxy.auth?.jwt, case .secret(let secret) = jwt.key else {
                FileHandle.standardError.write(Data("mcp-proxy token: \(config) has no proxy.auth.jwt.secret; this command mints HS256 tokens for such gateways only (get other tokens from your identity provider)\n".utf8))
                throw ExitCode(2)
            }
            let claims = HS256TokenMinter.Claims(
                issuer: jwt.issuer, subject: subject, audience: [jwt.audience], roles: roles, rolesClaim: jwt.rolesClaim,
                scopes: scopes, issuedAt: Int(Date().timeIntervalSince1970), lifetimeSeconds: ttl)
            print(HS256TokenMinter(secret: secret).mint(claims))
        }
    }
}
