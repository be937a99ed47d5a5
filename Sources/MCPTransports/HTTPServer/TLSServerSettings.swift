/// The certificate and key the HTTP front presents, and optionally the CA that client
/// certificates must be signed by (mutual TLS).
public struct TLSServerSettings: Sendable, Hashable {
    /// A PEM file holding the server certificate, followed by any intermediates.
    public var certificatePath: String
    /// A PEM file holding the private key of the certificate.
    public var privateKeyPath: String
    /// A PEM file of CA certificates. When set, every client must present a certificate signed by
    /// one of them, or the TLS handshake fails.
    public var clientCAPath: String?

    /// Creates TLS settings from PEM file paths.
    public init(certificatePath: String, privateKeyPath: String, clientCAPath: String? = nil) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
    }
}
