import NIOCore
import NIOSSL

/// The subject of the client certificate a TLS connection verified, as text for admission.
enum PeerCertificateSubject {
    /// `CN=alice,O=Example` style text of the verified peer certificate of `channel`, or nil when
    /// the connection has no TLS handler or the client sent no certificate. Call on the event loop.
    static func of(_ channel: any Channel) -> String? {
        guard let handler = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
              let certificate = handler.peerCertificate else { return nil }
        let names = certificate.subjectName
        guard !names.isEmpty else { return nil }
        return names.map { "\(label($0.type))=\($0.value)" }.joined(separator: ",")
    }

    private static func label(_ type: SSLCertificateNameType) -> String {
        switch type {
        case .commonName: return "CN"
        case .organization: return "O"
        case .organizationalUnit: return "OU"
        case .country: return "C"
        case .state: return "ST"
        case .city: return "L"
        case .emailAddress: return "emailAddress"
        case .userId: return "UID"
        default: return "OID"
        }
    }
}
