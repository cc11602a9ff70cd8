import Foundation
import MimamoriCore
import TestFixtures
import Testing

/// `mimamori keygen --confirm-key`, as the Debian postinst and `make demo` run it.
@Suite("keygen --confirm-key (the mimamori binary)")
struct ConfirmKeygenTests {
    static func keygen(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runProcess(try DaemonProcess.binary("mimamori"), ["keygen"] + arguments)
    }

    @Test("a new file 0600; an empty one (tmpfiles.d's 0640) filled in place keeping its mode; one holding a key never overwritten")
    func confirmKey() throws {
        let directory = try ServerProcess.temporaryDirectory("confirm-keygen")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fresh = directory.appendingPathComponent("fresh").path
        let made = try Self.keygen(["--confirm-key", fresh])
        #expect(made.status == 0 && made.stdout.contains("confirm-key credential"), "\(made)")
        let text = try String(contentsOfFile: fresh, encoding: .utf8)
        #expect((try? ConfirmationSigner(credential: text)) != nil, "not a credential: \(text)")
        #expect(try FileManager.default.attributesOfItem(atPath: fresh)[.posixPermissions] as? Int == 0o600)

        let empty = directory.appendingPathComponent("empty").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data("\n".utf8), attributes: [.posixPermissions: 0o640]))
        #expect(try Self.keygen(["--confirm-key", empty]).status == 0)
        let filled = try String(contentsOfFile: empty, encoding: .utf8)
        #expect((try? ConfirmationSigner(credential: filled)) != nil && filled != text)
        #expect(try FileManager.default.attributesOfItem(atPath: empty)[.posixPermissions] as? Int == 0o640)

        let refused = try Self.keygen(["--confirm-key", fresh])
        #expect(refused.status == 1 && refused.stderr.contains("already holds a confirm key"), "\(refused)")
        #expect(refused.stderr.contains("every confirmation code already sent would become unknown"))
        #expect(try String(contentsOfFile: fresh, encoding: .utf8) == text, "the key was overwritten")
        #expect(try Self.keygen(["--confirm-key", fresh, "--registry-key", empty]).status == 64)
    }
}
