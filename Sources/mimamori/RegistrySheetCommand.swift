import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriService
import Outlets

/// `mimamori registry sheet ID --out FILE.pdf --by NAME --reason TEXT`: the answer to a police
/// inquiry (照会): one A4 page with everything of the registration, photo, family contacts and
/// care notes included (`RegistrySheet`), and a row in the audit of who asked, why, who printed
/// it and when. The file is written readable by its owner only.
struct RegistrySheetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sheet", abstract: "Print one registration for the police (照会への回答): an A4 PDF, written to the audit.")

    @Argument(help: "The registration's id (台帳番号).")
    var id: String

    @Option(help: "The PDF to write.")
    var out: String

    @Option(help: "Who asked: the station and officer (海南警察署 生活安全課 山田).")
    var by: String

    @Option(help: "Why they asked (身元不明の方の保護、11月27日 美里).")
    var reason: String

    @OptionGroup var options: RegistryOptions

    func validate() throws {
        for (option, value) in [("--by", by), ("--reason", reason)] {
            let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty, text.count <= 200 else { throw ValidationError("\(option) must be given, in at most 200 characters") }
        }
    }

    func run() async throws {
        let id = try registrationID(self.id)
        let (configuration, registry) = try await options.open()
        guard let registration = try await registryCall({ () async throws(RegistryError) in try await registry.registration(id) }) else {
            throw refuse(.unknown(id))
        }
        let inquiry = RegistrySheet.Inquiry(
            requestedBy: by.trimmingCharacters(in: .whitespacesAndNewlines), reason: reason.trimmingCharacters(in: .whitespacesAndNewlines),
            printedBy: ResendCommand.invoker(), printedAt: Date())
        let rendered: FaxRenderer.Rendering
        do {
            rendered = try FaxRenderer().render(RegistrySheet.document(registration, inquiry: inquiry, town: configuration.town))
        } catch {
            printError("照会への回答を作れません: \(error.message)（\(error.operatorHint)）")
            throw ExitCode(3)
        }
        guard FileManager.default.createFile(atPath: out, contents: rendered.pdf, attributes: [.posixPermissions: 0o600]) else {
            printError("\(out) に書き込めません。書き出す場所を確かめてください。")
            throw ExitCode(3)
        }
        try await registryCall { () async throws(RegistryError) in
            try await registry.audit(
                RegistryAuditEntry(
                    action: "sheet", registrationID: id, at: inquiry.printedAt, by: inquiry.printedBy, reason: inquiry.auditReason))
        }
        print("\(id) の照会への回答を \(out) に書き出しました（A4 \(rendered.pages) ページ）。")
        if rendered.pages > 1 { print("注意: 記載が多く、1ページに収まりませんでした。すべてのページを渡してください。") }
        print("個人情報です。渡したあとはファイルを消し、紙は用が済んだら裁断するよう伝えてください。")
    }
}
