import NIOCore
import NIOHTTP1

extension TrustedProxies {
    /// The client a request's forwarding headers name when its connection's `peer` is a trusted
    /// proxy (canonical text, no port); nil when the peer's own address stands. Every line of each
    /// header counts, in order (a balancer may append a line of its own rather than extend the
    /// client's).
    func forwardedClient(peer: SocketAddress?, headers: HTTPHeaders) -> String? {
        guard let ip = peer?.ipAddress else { return nil }
        let forwarded = Self.joined(headers, "forwarded")
        let forwardedFor = Self.joined(headers, "x-forwarded-for")
        guard forwarded != nil || forwardedFor != nil else { return nil }
        return forwardedClient(peer: ip, forwarded: forwarded, forwardedFor: forwardedFor)
    }

    private static func joined(_ headers: HTTPHeaders, _ name: String) -> String? {
        let values = headers[name]
        switch values.count {
        case 0: return nil
        case 1: return values[0]
        default: return values.joined(separator: ",")
        }
    }
}

/// Where the front takes a request's client address from: the connection's peer, or (behind a
/// trusted balancer) the forwarding headers. Resolved once per request head.
struct ClientAddress {
    /// The address a forwarding header named; nil when the peer's address stands.
    let forwarded: String?

    /// The peer's address stands (no trusted proxies, or none named a client).
    static let peer = ClientAddress(forwarded: nil)

    private init(forwarded: String?) {
        self.forwarded = forwarded
    }

    /// Resolves `head` on `channel`; with no trusted proxies (`trusted` nil) nothing is read.
    init(_ head: HTTPRequestHead, channel: any Channel, trusted: TrustedProxies?) {
        forwarded = trusted?.forwardedClient(peer: channel.remoteAddress, headers: head.headers)
    }

    /// The host alone (per-address limits): the forwarded client or the peer's IP.
    func host(of channel: any Channel) -> String? {
        forwarded ?? channel.remoteAddress?.ipAddress
    }

    /// For logs: the forwarded client, or the peer's `ip:port`.
    func display(of channel: any Channel) -> String? {
        forwarded ?? channel.remoteAddress?.ipAndPortText
    }
}
