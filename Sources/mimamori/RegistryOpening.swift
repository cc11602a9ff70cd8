import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `--registry-key FILE` for the commands that open registrations (registry, shelter). The
/// default is the file systemd hands the daemon: `$CREDENTIALS_DIRECTORY/registry-key` inside
/// the unit, otherwise /etc/mimamori/registry-key (readable by the mimamori group).
struct RegistryKeyOption: ParsableArguments {
    @Option(name: .customLong("registry-key"), help: "The registry-key credential file (default: /etc/mimamori/registry-key).")
    var path: String?

    var resolvedPath: String {
        if let path { return path }
        if let directory = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] {
            return (directory as NSString).appendingPathComponent("registry-key")
        }
        return "/etc/mimamori/registry-key"
    }

    /// The registry the settings describe over the ledger, or a Japanese line on stderr for
    /// staff and exit status 3.
    func openRegistry(_ configuration: Configuration, ledger: any CaseLedger) throws -> Registry {
        let text = try? String(contentsOfFile: resolvedPath, encoding: .utf8)
        let credential = text.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        do {
            return try Registry.open(configuration.registry, store: ledger, credential: credential)
        } catch {
            switch error {
            case .notEnabled: printError("登録の機能が設定にありません（mimamori.yaml に registry: がありません）: \(error)")
            case .noCredential: printError("登録の鍵（\(resolvedPath)）を読めません: \(error)")
            default: printError("登録簿を開けません: \(error)")
            }
            throw ExitCode(3)
        }
    }
}
