import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori keygen NAME`: an Ed25519 key pair for a publisher. NAME.key stays with the police
/// side; NAME.pub goes into the daemon's publishers folder.
///
/// `mimamori keygen --registry-key FILE`: a new `registry-key` credential (32 random bytes,
/// base64), the key every registration's own key is wrapped with. A file that already holds a
/// key is never overwritten (every registration would become unreadable); an empty one (as
/// tmpfiles.d creates it, 0640 root:mimamori) is filled in place, keeping its owner and mode.
///
/// `mimamori keygen --confirm-key FILE`: a new `confirm-key` credential, the same way; the key
/// every confirmation code is signed with (a new one would leave the codes already sent unknown).
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract:
            "Write an Ed25519 key pair NAME.key (secret) and NAME.pub (for /etc/mimamori/publishers), or a registry-key or confirm-key credential."
    )

    @Argument(help: "Key id, e.g. police-kainan (letters, digits, - and _).")
    var name: String?

    @Option(help: "Folder to write the two files into.")
    var out: String = "."

    @Option(name: .customLong("registry-key"), help: "Write a new registry-key credential into FILE (refused if FILE holds one).")
    var registryKey: String?

    @Option(name: .customLong("confirm-key"), help: "Write a new confirm-key credential into FILE (refused if FILE holds one).")
    var confirmKey: String?

    func validate() throws {
        let given = [name != nil, registryKey != nil, confirmKey != nil].filter { $0 }.count
        guard given == 1 else { throw ValidationError("give one of: a key id NAME, --registry-key FILE, --confirm-key FILE") }
        if let name {
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw ValidationError("NAME may contain only letters, digits, - and _")
            }
        }
    }

    func run() throws {
        if let registryKey {
            return try writeCredential(
                RegistryVault.newCredential(), to: registryKey, kind: "registry key",
                loss: "every registration sealed under it would become unreadable",
                done: "back it up apart from the ledger (docs/operations.md, \"The registry's keys\")")
        }
        if let confirmKey {
            return try writeCredential(
                ConfirmationSigner.newCredential(), to: confirmKey, kind: "confirm key",
                loss: "every confirmation code already sent would become unknown",
                done: "the daemon reads it as the confirm-key credential (LoadCredential=confirm-key)")
        }
        guard let name else { return }
        let pair = EventSigner.generate(name: name)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let privatePath = (out as NSString).appendingPathComponent("\(name).key")
        let publicPath = (out as NSString).appendingPathComponent("\(name).pub")
        for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; refusing to overwrite a key")
        }
        guard
            FileManager.default.createFile(
                atPath: privatePath, contents: Data(pair.privateKey.utf8), attributes: [.posixPermissions: 0o600]),
            FileManager.default.createFile(atPath: publicPath, contents: Data(pair.publicKey.utf8), attributes: [.posixPermissions: 0o644])
        else { throw ValidationError("cannot write into \(out)") }
        print("wrote \(privatePath) (secret) and \(publicPath)")
    }

    /// Writes a new credential into `path`, never over one it holds.
    func writeCredential(_ credential: String, to path: String, kind: String, loss: String, done: String) throws {
        let text = Data((credential + "\n").utf8)
        if let existing = FileManager.default.contents(atPath: path) {
            guard String(decoding: existing, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                printError("\(path) already holds a \(kind); refusing to overwrite it (\(loss))")
                throw ExitCode.failure
            }
            // In place: the empty file's owner and mode (0640 root:mimamori) are what the staff's
            // commands and the unit need.
            guard let handle = FileHandle(forWritingAtPath: path) else {
                printError("\(path): cannot open for writing")
                throw ExitCode.failure
            }
            do {
                try handle.truncate(atOffset: 0)
                try handle.write(contentsOf: text)
                try handle.synchronize()
                try handle.close()
            } catch {
                printError("\(path): cannot write (\(error.localizedDescription))")
                throw ExitCode.failure
            }
        } else {
            guard FileManager.default.createFile(atPath: path, contents: text, attributes: [.posixPermissions: 0o600]) else {
                printError("\(path): cannot create (does its folder exist?)")
                throw ExitCode.failure
            }
        }
        print("wrote a new \(kind) to \(path); \(done)")
    }
}
