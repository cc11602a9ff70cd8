import Foundation

/// A self-signed certificate for 127.0.0.1 / localhost made with `openssl`, used by a test
/// server for STARTTLS and trusted by the client through its CA-file option.
public struct TLSCertificate: Sendable {
    public var certificate: URL
    public var key: URL

    public static func make() throws -> TLSCertificate {
        let directory = try ServerProcess.temporaryDirectory("tls")
        let cert = directory.appendingPathComponent("cert.pem")
        let key = directory.appendingPathComponent("key.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", key.path, "-out", cert.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw FixtureError("openssl not runnable: \(error)") }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("openssl req failed with status \(process.terminationStatus)")
        }
        return TLSCertificate(certificate: cert, key: key)
    }

    /// Deletes the key pair's folder.
    public func remove() {
        try? FileManager.default.removeItem(at: certificate.deletingLastPathComponent())
    }
}
