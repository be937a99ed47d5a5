import NIOSSL

/// Builds the server TLS context from PEM files, with errors that name the file to fix.
enum TLSContextFactory {
    static func make(_ settings: TLSServerSettings) throws(TransportError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(settings.certificatePath)
        } catch {
            throw TransportError("cannot read the TLS certificate \(settings.certificatePath): \(error); it must be a readable PEM file")
        }
        guard !chain.isEmpty else {
            throw TransportError("the TLS certificate file \(settings.certificatePath) holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: settings.privateKeyPath, format: .pem)
        } catch {
            throw TransportError("cannot read the TLS private key \(settings.privateKeyPath): \(error); it must be an unencrypted PEM key")
        }
        let certificates = chain.map { NIOSSLCertificateSource.certificate($0) }
        var configuration: TLSConfiguration
        if let clientCAPath = settings.clientCAPath {
            let authorities: [NIOSSLCertificate]
            do {
                authorities = try NIOSSLCertificate.fromPEMFile(clientCAPath)
            } catch {
                throw TransportError("cannot read the client CA file \(clientCAPath): \(error); it must be a readable PEM file")
            }
            guard !authorities.isEmpty else {
                throw TransportError("the client CA file \(clientCAPath) holds no PEM certificate")
            }
            configuration = .makeServerConfigurationWithMTLS(
                certificateChain: certificates, privateKey: .privateKey(key), trustRoots: .certificates(authorities))
        } else {
            configuration = .makeServerConfiguration(certificateChain: certificates, privateKey: .privateKey(key))
        }
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TransportError("cannot set up TLS with \(settings.certificatePath) and \(settings.privateKeyPath): \(error); check that the key matches the certificate")
        }
    }
}
