import Crypto
import Foundation
import MimamoriCore
import Testing

@testable import Ledger
@testable import MimamoriDaemon

/// The confirmation pages as HTML: what the policy allows is exactly the page's one style, and
/// what the settings put on a page is escaped.
@Suite("confirm endpoint: the pages' HTML")
struct ConfirmPagesTests {
    static let target = ConfirmationTarget(
        code: ConfirmationCode(parsing: "K7QM-2XWD-9HVR")!, delivery: DeliveryID(rawValue: 7), caseID: CaseID("KN-2026-0042"),
        recipient: RecipientID("vol-001"), channel: .email, kind: .alert, drill: true, receivedAt: nil, destroyedAt: nil)

    @Test("the content security policy allows the page's inline style by its hash, and nothing else")
    func policyMatchesTheStyle() throws {
        let pages = ConfirmPages(town: .init(name: "紀美野町", department: "保健福祉課", phone: "073-489-9960"))
        let answer = pages.ask(Self.target, [.received, .destroyed], only: nil)
        let html = String(decoding: answer.body, as: UTF8.self)
        let style = try #require(
            html.firstRange(of: "<style>").flatMap { start in
                html.firstRange(of: "</style>").map { String(html[start.upperBound..<$0.lowerBound]) }
            })
        let hash = "sha256-" + Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString()
        let policy = try #require(answer.headers.first { $0.0 == "Content-Security-Policy" }?.1)
        #expect(policy == "default-src 'none'; style-src '\(hash)'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        #expect(html.contains("【訓練】"), "a drill's page says so")
        #expect(!html.contains("vol-001"), "the page names no recipient")
    }

    @Test("what the settings put on a page is escaped")
    func escaped() {
        let pages = ConfirmPages(town: .init(name: "<b>町</b>", department: "課&係", phone: "\"073\""))
        let html = String(decoding: pages.notFound().body, as: UTF8.self)
        #expect(html.contains("&lt;b&gt;町&lt;/b&gt;") && html.contains("課&amp;係") && html.contains("&quot;073&quot;"))
        #expect(!html.contains("<b>"))
    }
}
