import JSONRPC
import NIOCore

/// A session another replica opened, served here without a new `initialize`.
extension ProxySession {
    /// Takes over the handshake the client made on another replica (its `initialize` params as
    /// it sent them there, from the sealed session id): negotiates the same version, declares
    /// the same capabilities upstream, and serves requests at once. False when the params do
    /// not decode; the session then waits for an `initialize` as a new one does.
    func restoreHandshake(_ paramsJSON: [UInt8]) -> Bool {
        guard let view = try? JSONView.parse(ByteBuffer(bytes: paramsJSON)),
              let params = InitializeParams.decode(from: view) else { return false }
        let version = ProtocolVersion.negotiate(requested: params.protocolVersion, supported: options.supportedVersions)
        guard takeHandshake(params, version: version, phase: .ready) else { return false }
        // This session's own upstreams open in the background; shared ones are running already.
        for service in services where !service.isShared && serves(service) { service.start(warm: false) }
        logger.info("session restored", metadata: ["client": "\(params.clientInfo.name) \(params.clientInfo.version)", "version": "\(version.rawValue)"])
        return true
    }
}
