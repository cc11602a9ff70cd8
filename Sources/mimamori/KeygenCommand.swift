import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori keygen NAME`: an Ed25519 key pair for a publisher. NAME.key stays with the police
/// side; NAME.pub goes into the daemon's publishers folder.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Write an Ed25519 key pair NAME.key (secret) and NAME.pub (for /etc/mimamori/publishers).")

    @Argument(help: "Key id, e.g. police-kainan (letters, digits, - and _).")
    var name: String

    @Option(help: "Folder to write the two files into.")
    var out: String = "."

    func validate() throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw ValidationError("NAME may contain only letters, digits, - and _")
        }
    }

    func run() throws {
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
}
