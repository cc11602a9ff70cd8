import Foundation
import MimamoriCore
import Testing

/// What one delivery asks its recipient, in the words the email and the FAX carry.
@Suite("Confirmation request: the words of the links, the QR band and the reply strip")
struct ConfirmationRequestTests {
    static let town = Configuration.Town(name: "紀美野町", department: "保健福祉課", phone: "073-489-9960")
    static let code = ConfirmationCode(parsing: "K7QM-2XWD-9HVR")!

    static func confirm(replyFax: String? = "073-489-5999") -> Configuration.Confirm {
        var confirm = Configuration.Confirm(publicURL: "https://mimamori.town.example.jp/")
        confirm.replyFax = replyFax
        return confirm
    }

    static func request(_ kind: NoticeKind, replyFax: String? = "073-489-5999") -> ConfirmationRequest? {
        ConfirmationRequest(kind: kind, code: code, confirm: confirm(replyFax: replyFax), town: town)
    }

    @Test("an alert and an update ask both, each with its own link, and the code for the phone", arguments: [NoticeKind.alert, .update])
    func descriptionAsksBoth(kind: NoticeKind) throws {
        let request = try #require(Self.request(kind))
        #expect(request.asks == [.received, .destroyed])
        let block = request.emailBlock
        #expect(block.hasPrefix("\n■ 受け取り・処分のご連絡（リンクを開いてボタンを押すだけで町に届きます）\n"))
        #expect(block.contains("受け取りました → https://mimamori.town.example.jp/c/K7QM-2XWD-9HVR/received\n"))
        #expect(block.contains("処分しました（捜索が終わり、このメールを削除したら） → https://mimamori.town.example.jp/c/K7QM-2XWD-9HVR/destroyed\n"))
        #expect(block.contains("確認コード K7QM-2XWD-9HVR"))
        #expect(!block.contains("すべての書類"))
        #expect(request.links.page == "https://mimamori.town.example.jp/c/K7QM-2XWD-9HVR")
        #expect(request.faxLead == "届いたら・処分したら、QRコードか次のアドレスからお知らせください。")
    }

    @Test("the termination asks only 処分しました; its link alone")
    func terminationAsksDestroyed() throws {
        let request = try #require(Self.request(.termination))
        #expect(request.asks == [.destroyed])
        let block = request.emailBlock
        #expect(block.contains("■ 処分のご連絡"))
        #expect(block.contains("処分しました → https://mimamori.town.example.jp/c/K7QM-2XWD-9HVR/destroyed\n"))
        #expect(!block.contains("/received"))
        #expect(!block.contains("受け取りました"))
        #expect(!request.coversEveryDocument)
    }

    @Test("the destruction reminder says one confirmation covers every document of the case")
    func reminderCoversEveryDocument() throws {
        let request = try #require(Self.request(.destructionReminder))
        #expect(request.asks == [.destroyed])
        #expect(request.coversEveryDocument)
        #expect(request.emailBlock.contains("一度のご連絡で、この件の書類すべての処分として記録します。"))
        #expect(request.emailBlock.contains("（発見支援のお願い・続報・終結のお知らせ）"))
        #expect(!request.emailBlock.contains("/received"))
        #expect(request.faxLead.contains("一度のご連絡で、すべての書類の処分として記録します。"))
    }

    @Test(
        "concern and shelter notices ask nothing",
        arguments: [NoticeKind.concernReport, .concernResult, .shelterRequest, .shelterDestruction])
    func othersAskNothing(kind: NoticeKind) {
        #expect(Self.request(kind) == nil)
    }

    @Test("the strip goes back to confirm.reply-fax; without one it names the town's phone")
    func replyInstruction() throws {
        #expect(try #require(Self.request(.alert)).replyInstruction == "この欄に印をつけて、このままFAXで返送してください（FAX 073-489-5999）")
        let phone = try #require(Self.request(.alert, replyFax: nil)).replyInstruction
        #expect(phone == "お電話でお知らせいただくときは、紀美野町 保健福祉課（電話 073-489-9960）へ確認コードをお伝えください")
    }

    @Test("the sample code of `mimamori render` is a well-formed code")
    func sample() {
        #expect(ConfirmationCode.sample.rawValue == "K7QM-2XWD-9HVR")
        #expect(ConfirmationCode(parsing: ConfirmationCode.sample.rawValue) == .sample)
    }
}
