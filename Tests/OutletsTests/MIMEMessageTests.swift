import Foundation
import Testing

@testable import Outlets

@Suite struct MIMEMessageTests {
    @Test func headersAreFoldedAndEncodedWordsStayShort() throws {
        let mime = try MIMEMessage(Samples.email(to: "vol-001@example.net"))
        let text = String(decoding: mime.rendered(), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 }, "every line ≤ 76 octets")
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare LF")
        let words = text.matches(of: /=\?UTF-8\?B\?[A-Za-z0-9+\/=]*\?=/).map { String($0.output) }
        #expect(words.count > 3)
        #expect(words.allSatisfy { $0.count <= 75 })
        #expect(text.utf8.allSatisfy { $0 < 0x80 }, "the wire form is pure ASCII")
        #expect(lines.contains("MIME-Version: 1.0"))
        #expect(lines.contains("Content-Type: text/plain; charset=UTF-8"))
        #expect(lines.contains("Date: Fri, 27 Nov 2026 15:35:00 +0900"))
    }

    /// A recipient's own lines after the shared body: the same bytes as a message whose body
    /// held them from the start, attachments and headers untouched.
    @Test func appendingToTheBodyIsTheMessageWithThatBody() throws {
        var message = Samples.email(to: "vol-001@example.net")
        message.attachments = [EmailAttachment(filename: "photo.png", mediaType: "image/png", bytes: Data(repeating: 7, count: 300))]
        let block = "\n■ 受け取り・処分のご連絡\n受け取りました → https://mimamori.town.example.jp/c/K7QM-2XWD-9HVR/received\n"
        let shared = try MIMEMessage.Content(
            from: message.from, subject: message.subject, body: message.body, attachments: message.attachments)
        var whole = message
        whole.body += block
        let appended = shared.appendingToBody(block).rendered(to: message.to, idempotencyKey: message.idempotencyKey, date: message.date)
        #expect(appended == (try MIMEMessage(whole).rendered()))
        #expect(appended != (try MIMEMessage(message).rendered()))
        // The shared content is left as it was for the next recipient.
        #expect(
            shared.rendered(to: message.to, idempotencyKey: message.idempotencyKey, date: message.date)
                == (try MIMEMessage(message).rendered()))
    }

    @Test func messageIDIsStableAndDerivedFromTheKey() throws {
        let a = try MIMEMessage(Samples.email(to: "a@example.net", key: "KN-0042/1/email/vol 7"))
        let b = try MIMEMessage(Samples.email(to: "a@example.net", key: "KN-0042/1/email/vol 7"))
        let c = try MIMEMessage(Samples.email(to: "a@example.net", key: "KN-0042/1/email/vol-8"))
        #expect(a.messageID == "<KN-0042=2F1=2Femail=2Fvol=207@town.example.jp>")
        #expect(a.rendered() == b.rendered(), "same delivery, same bytes")
        #expect(a.messageID != c.messageID)
    }

    @Test func longJapaneseFilenameUsesRFC2231Continuations() {
        let lines = HeaderField.disposition(filename: "行方不明者のお知らせ_紀美野町_第1報_写真.jpeg")
        #expect(lines.first?.hasPrefix("Content-Disposition: attachment;") == true)
        #expect(lines.contains { $0.contains("filename*0*=UTF-8''%E8%A1%8C") })
        #expect(lines.contains { $0.contains("filename*1*=") })
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(
            HeaderField.disposition(filename: "notice.pdf") == [
                "Content-Disposition: attachment; filename=\"notice.pdf\""
            ])
    }

    @Test func asciiSubjectStaysReadableAndNamesAreQuoted() {
        #expect(HeaderField.unstructured(name: "Subject", "Drill notice KN-0042") == ["Subject: Drill notice KN-0042"])
        #expect(
            HeaderField.mailbox(name: "To", EmailAddress("a@b.jp", displayName: "Yamada, \"Hana\"")) == [
                "To: \"Yamada, \\\"Hana\\\"\" <a@b.jp>"
            ])
    }

    @Test(arguments: ["no-at-sign", "a@b@c", "a b@c.jp", "山田@example.jp", "x@y.jp\r\nBcc: z@w.jp", "<a@b.jp>"])
    func unusableAddressesAreRejectedPermanently(_ address: String) {
        #expect(throws: OutletError.self) { try MIMEMessage(Samples.email(to: address)) }
        do { _ = try MIMEMessage(Samples.email(to: address)) } catch {
            #expect(error.code == .invalidInput && !error.isRetriable)
        }
    }

    @Test(arguments: [0.0, 951_782_400, 1_709_164_800, 1_795_761_300, -86_400 * 365.0, 4_102_444_799])
    func datesMatchFoundationsFormatter(_ seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = MIMEMessage.japan
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        #expect(MIMEMessage.rfc5322Date(date, in: MIMEMessage.japan) == formatter.string(from: date))
        formatter.timeZone = TimeZone(secondsFromGMT: -(3 * 3600 + 1800))
        #expect(MIMEMessage.rfc5322Date(date, in: formatter.timeZone) == formatter.string(from: date))
    }

    @Test func lineEndingsBecomeCRLF() {
        let part = MIMEMessage.textPart("a\nb\r\nc\rd\n\n")
        let decoded = Data(base64Encoded: Data(part.body), options: .ignoreUnknownCharacters)!
        #expect(String(decoding: decoded, as: UTF8.self) == "a\r\nb\r\nc\r\nd\r\n\r\n")
    }

    /// Every length's last group (no padding, `==`, `=`) and a line break at exactly 76
    /// characters, against Foundation's encoder cut into lines.
    @Test(arguments: [0, 1, 2, 3, 56, 57, 58, 59, 113, 114, 115, 1000, 4099])
    func base64LinesAreFoundationsBase64InLinesOf76(length: Int) {
        let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        let encoded = Array(data.base64EncodedString().utf8)
        var expected: [UInt8] = []
        for start in stride(from: 0, to: encoded.count, by: 76) {
            expected += encoded[start..<min(start + 76, encoded.count)] + [0x0D, 0x0A]
        }
        #expect(MIMEMessage.base64Lines(data) == expected)
        #expect(MIMEMessage.base64Lines(Array(data)) == expected)
    }

    @Test func encodedWordsNeverSplitACharacter() {
        let text = String(repeating: "👨‍👩‍👧かﾞ漢字", count: 20)
        let words = HeaderField.encodedWords(text, firstLineUsed: 9)
        var decoded = ""
        for word in words {
            let base64 = word.dropFirst(10).dropLast(2)
            let bytes = Data(base64Encoded: String(base64))!
            let piece = String(data: bytes, encoding: .utf8)
            #expect(piece != nil, "each word is valid UTF-8 on its own")
            decoded += piece ?? ""
        }
        #expect(decoded == text)
        #expect(words.allSatisfy { $0.count <= 75 })
        #expect(words[0].count <= 76 - 9)
    }
}
