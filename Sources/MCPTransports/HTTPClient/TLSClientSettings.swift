import NIOSSL

/// TLS options for a remote upstream (`https` and `wss`): a custom CA and a client certificate.
///
/// Without settings the system's trust store verifies the server. All files are PEM.
public struct TLSClientSettings: Sendable, Hashable {
    /// CA certificate(s) that the server's certificate must chain to. When set, this replaces the
    /// system trust store for this upstream (like `curl --cacert`).
    public var caCertificatePath: String?
    /// The client certificate (chain) presented for mutual TLS; needs `clientKeyPath`.
    public var clientCertificatePath: String?
    /// The private key of `clientCertificatePath`.
    public var clientKeyPath: String?

    /// Creates settings from file paths.
    public init(caCertificatePath: String? = nil, clientCertificatePath: String? = nil, clientKeyPath: String? = nil) {
        self.caCertificatePath = caCertificatePath
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
    }

    /// Reads the files and builds a client configuration; the error names the file and what to fix.
    public func makeTLSConfiguration() throws(TransportError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let path = caCertificatePath {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw TransportError("cannot read the CA certificate '\(path)': \(error); check the path and that the file is PEM")
            }
            guard !certificates.isEmpty else {
                throw TransportError("the CA file '\(path)' holds no certificate; it must contain at least one PEM 'BEGIN CERTIFICATE' block")
            }
            configuration.trustRoots = .certificates(certificates)
        }
        switch (clientCertificatePath, clientKeyPath) {
        case (nil, nil):
            break
        case (let certificatePath?, let keyPath?):
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
            } catch {
                throw TransportError("cannot read the client certificate '\(certificatePath)': \(error); check the path and that the file is PEM")
            }
            guard !configuration.certificateChain.isEmpty else {
                throw TransportError("the client certificate file '\(certificatePath)' holds no certificate; it must contain a PEM 'BEGIN CERTIFICATE' block")
            }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
            } catch {
                throw TransportError("cannot read the client key '\(keyPath)': \(error); check the path and that the file is an unencrypted PEM private key")
            }
        case (.some, nil):
            throw TransportError("a client certificate is set without its key; set clientKeyPath too (or remove the certificate)")
        case (nil, .some):
            throw TransportError("a client key is set without its certificate; set clientCertificatePath too (or remove the key)")
        }
        return configuration
    }
}
