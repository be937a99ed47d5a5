import Foundation
import NIOSSL
import XCTest

/// Certificates made with the `openssl` command for one test: a self-signed server certificate
/// for localhost, and a CA with a client certificate it signed (for mutual TLS).
struct TestCertificates {
    let directory: URL
    var serverCertificate: String { directory.appendingPathComponent("server.pem").path }
    var serverKey: String { directory.appendingPathComponent("server.key").path }
    var authority: String { directory.appendingPathComponent("ca.pem").path }
    var clientCertificate: String { directory.appendingPathComponent("client.pem").path }
    var clientKey: String { directory.appendingPathComponent("client.key").path }

    static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-front-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                 "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                 "-keyout", certificates.serverKey, "-out", certificates.serverCertificate], in: directory)
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test client CA",
                 "-keyout", directory.appendingPathComponent("ca.key").path, "-out", certificates.authority], in: directory)
        try run(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=test client",
                 "-keyout", certificates.clientKey, "-out", directory.appendingPathComponent("client.csr").path], in: directory)
        try run(["x509", "-req", "-in", directory.appendingPathComponent("client.csr").path, "-days", "2",
                 "-CA", certificates.authority, "-CAkey", directory.appendingPathComponent("ca.key").path, "-CAcreateserial",
                 "-out", certificates.clientCertificate], in: directory)
        return certificates
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A client context that trusts the server certificate, optionally presenting the client certificate.
    func clientContext(presentingClientCertificate: Bool) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(serverCertificate))
        configuration.certificateVerification = .fullVerification
        if presentingClientCertificate {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(clientCertificate).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientKey, format: .pem))
        }
        return try NIOSSLContext(configuration: configuration)
    }

    private static func run(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw XCTSkip("openssl \(arguments.prefix(2).joined(separator: " ")) failed with status \(process.terminationStatus)")
        }
    }
}
