import Foundation
import NIOSSL

/// A throwaway PKI for the TLS tests (EC P-256, valid 2020 to 2120): a CA, a server certificate for
/// `localhost` and 127.0.0.1, and a client certificate, all signed by the CA.
enum StubCertificates {
    static let caCertificate = """
-----BEGIN CERTIFICATE-----
MIIBazCCARKgAwIBAgICEAAwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwRbWNwLXBy
b3h5IHRlc3QgQ0EwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEwMDAwMDBaMBwx
GjAYBgNVBAMMEW1jcC1wcm94eSB0ZXN0IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEpWacjg5Xn2nEUJRlYQiVFnywG+/JvlefmAZ/q4ortU5AzrweRsfw5qJJ
HJW5wLcebtGhWkc+Hm+dqgm+2C+YkaNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNV
HQ8BAf8EBAMCAQYwHQYDVR0OBBYEFNkY7SbzFFfmJpOQeNNOxHpVtIF0MAoGCCqG
SM49BAMCA0cAMEQCIEJVmb0gc7CsnSy7t5E4ByAYlwE9FS39bIbZEEHI9zDmAiAm
2dcXXldTMpB1B8m1xmwCB198z+4zGybKXcy0bE/i9A==
-----END CERTIFICATE-----
"""

    static let serverCertificate = """
-----BEGIN CERTIFICATE-----
MIIBrjCCAVWgAwIBAgICEAEwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwRbWNwLXBy
b3h5IHRlc3QgQ0EwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEwMDAwMDBaMBQx
EjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABMte
tZqFIuf8HIzexeqd+S/7hMPRx13KD2/tzthwRCFF4HK30FTwj4fjpPFRFSVG/yC5
V3J3mAIogU3o62F85uWjgYwwgYkwGgYDVR0RBBMwEYIJbG9jYWxob3N0hwR/AAAB
MAkGA1UdEwQCMAAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwCwYDVR0PBAQDAgeAMB8G
A1UdIwQYMBaAFNkY7SbzFFfmJpOQeNNOxHpVtIF0MB0GA1UdDgQWBBQVWExY6EDi
uZKHGkzWMTIPEFMdIzAKBggqhkjOPQQDAgNHADBEAiB8NM+5M2P+Pw1RSMbWiz70
LdRjqZZqeLOazU16abyYjQIgDi/CwceJYGFSy9eoluJa/OP5WD5RXQegG0uxaQTN
7mY=
-----END CERTIFICATE-----
"""

    static let serverKey = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHb51liCau84dVwXD
J1D82B9BCjASvTbOZT/OTBWP6nWhRANCAATLXrWahSLn/ByM3sXqnfkv+4TD0cdd
yg9v7c7YcEQhReByt9BU8I+H46TxURUlRv8guVdyd5gCKIFN6OthfObl
-----END PRIVATE KEY-----
"""

    static let clientCertificate = """
-----BEGIN CERTIFICATE-----
MIIBnjCCAUOgAwIBAgICEAIwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwRbWNwLXBy
b3h5IHRlc3QgQ0EwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEwMDAwMDBaMCAx
HjAcBgNVBAMMFW1jcC1wcm94eSB0ZXN0IGNsaWVudDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABCbdlBqVsFKuCBDZ3eudXe0ymu3xmsRuLnU0jrFOQIgmWoE7s6hl
BjrIhhw178cYEHckC4Wh8fMivOaQoI/ArEmjbzBtMAkGA1UdEwQCMAAwEwYDVR0l
BAwwCgYIKwYBBQUHAwIwCwYDVR0PBAQDAgeAMB8GA1UdIwQYMBaAFNkY7SbzFFfm
JpOQeNNOxHpVtIF0MB0GA1UdDgQWBBTg/aQmRlUYYUT2XzMtrtZfXCv5lTAKBggq
hkjOPQQDAgNJADBGAiEAiM/irxbf/5yEIK5D/RP0bRVIFxJmeGIkcabBlxQWTi0C
IQCQTwwo4f0j/Z8Rf05bC23DjE8WZBIHQ8vle1y0bWc31w==
-----END CERTIFICATE-----
"""

    static let clientKey = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCayKXLTi2Eexp/wl
Ah2PN7zwbG51p93EUFaizEnqk9ehRANCAAQm3ZQalbBSrggQ2d3rnV3tMprt8ZrE
bi51NI6xTkCIJlqBO7OoZQY6yIYcNe/HGBB3JAuFofHzIrzmkKCPwKxJ
-----END PRIVATE KEY-----
"""

    /// Writes the PEM files into a fresh temporary directory and returns their paths.
    static func writeFiles() throws -> (directory: URL, ca: String, clientCertificate: String, clientKey: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-proxy-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func write(_ text: String, _ name: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }
        return (
            directory, try write(caCertificate, "ca.pem"), try write(clientCertificate, "client.pem"),
            try write(clientKey, "client.key"))
    }

    /// The server side; with `requireClientCertificate` it demands a certificate signed by the CA.
    static func serverContext(requireClientCertificate: Bool) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(serverCertificate.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serverKey.utf8), format: .pem)))
        if requireClientCertificate {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caCertificate.utf8)))
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
