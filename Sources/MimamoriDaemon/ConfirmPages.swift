import Crypto
import Foundation
import Ledger
import MimamoriCore

/// The pages a cooperator sees on opening a confirmation link or QR code: plain Japanese, the
/// town's name, department and phone and the case reference, nothing of the person and nothing
/// of the recipient (a link forwarded or a FAX left on a desk shows a stranger no more than the
/// case number). One form per button, so they work without JavaScript; one small inline style,
/// allowed by its hash in the page's content security policy and nothing else.
struct ConfirmPages: Sendable {
    var town: Configuration.Town

    /// The page asking for `asked` (both buttons the notice asks for, or the one its link names).
    func ask(_ target: ConfirmationTarget, _ asked: [Confirmation], only: Confirmation?) -> HTTPAnswer {
        var body = heading(target)
        body += "<p>\(Self.escape(Self.noticeName(target.kind, town: town)))（案件番号 \(Self.escape(target.caseID.rawValue))）について、"
        body += "該当するボタンを押してください。押すと\(town.kind)に記録されます。</p>\n"
        for confirmation in asked {
            // Relative actions: the page works under any path the reverse proxy gives it.
            let action = only == nil ? "\(target.code.rawValue)/\(confirmation.rawValue)" : confirmation.rawValue
            body += "<section>\n<p class=\"what\">\(Self.escape(Self.explanation(confirmation, target.kind)))</p>\n"
            if let at = target.recorded(confirmation) {
                body += "<p class=\"done\">「\(confirmation.japanese)」は\(Self.escape(JapaneseDateFormat.dateTime(at)))に記録済みです。</p>\n"
            } else {
                body +=
                    "<form method=\"post\" action=\"\(Self.escape(action))\"><button type=\"submit\">\(confirmation.japanese)</button></form>\n"
            }
            body += "</section>\n"
        }
        return page(200, title: "受け取り・処分の確認", body: body + contact())
    }

    /// The thanks after a POST; `already`: it had been recorded before, nothing changed.
    func thanks(_ target: ConfirmationTarget, _ confirmation: Confirmation, already: Date?) -> HTTPAnswer {
        var body = heading(target)
        if let already {
            body +=
                "<p class=\"done\">「\(confirmation.japanese)」は\(Self.escape(JapaneseDateFormat.dateTime(already)))に既に記録されています。もう一度押していただく必要はありません。</p>\n"
        } else {
            body += "<p class=\"done\">「\(confirmation.japanese)」を記録しました。ご協力ありがとうございます。</p>\n"
        }
        switch confirmation {
        case .received:
            body += "<p>お手元の書類は、捜索が終わったときや\(town.kind)からのお知らせがあったときに、シュレッダー等で処分してください。処分したら、同じ案内から「処分しました」を押してください。</p>\n"
        case .destroyed:
            body += "<p>この案件について\(town.kind)からお送りした書類（FAX・印刷物・メール）を、すべて処分されたものとして記録しました。</p>\n"
        }
        return page(200, title: "記録しました", body: body + contact())
    }

    /// The one answer for a code that is unknown, expired, malformed, or does not ask for this:
    /// a guesser learns nothing from it.
    func notFound() -> HTTPAnswer {
        let body = """
            <h1>\(Self.escape(town.name))</h1>
            <p>このページは表示できません。アドレスが正しくないか、受付期間が終わっています。</p>
            <p>お手元の書類の処分など、ご不明な点は下記へお電話でお知らせください。</p>

            """
        return page(404, title: "ページが見つかりません", body: body + contact())
    }

    /// Too many requests: try again after `seconds`.
    func tooMany(retryAfter seconds: Int) -> HTTPAnswer {
        let body = """
            <h1>\(Self.escape(town.name))</h1>
            <p>ただいまアクセスが集中しています。\(seconds >= 60 ? "\(seconds / 60)分" : "\(seconds)秒")ほどたってから、もう一度お試しください。</p>

            """
        var answer = page(429, title: "しばらくしてからお試しください", body: body + contact())
        answer.headers.append(("Retry-After", "\(seconds)"))
        return answer
    }

    /// A request the routes cannot take (wrong method, bad body).
    func badRequest(_ status: Int) -> HTTPAnswer {
        let body = "<h1>\(Self.escape(town.name))</h1>\n<p>この操作は受け付けられません。案内のページからやり直してください。</p>\n"
        var answer = page(status, title: "受け付けられません", body: body + contact())
        if status == 405 { answer.headers.append(("Allow", "GET, POST")) }
        return answer
    }

    /// The ledger could not be used: the cooperator is asked to try later or phone.
    func unavailable() -> HTTPAnswer {
        let body = "<h1>\(Self.escape(town.name))</h1>\n<p>ただいま記録できません。時間をおいてもう一度お試しいただくか、下記へお電話でお知らせください。</p>\n"
        var answer = page(503, title: "ただいま記録できません", body: body + contact())
        answer.headers.append(("Retry-After", "300"))
        return answer
    }

    private func heading(_ target: ConfirmationTarget) -> String {
        var text = "<h1>\(Self.escape(town.name))からのお知らせの確認</h1>\n"
        if target.drill {
            text += "<p class=\"drill\">【訓練】これは訓練の案件です。実際の行方不明事案ではありません。</p>\n"
        }
        return text
    }

    private func contact() -> String {
        "<footer>\(Self.escape(town.name)) \(Self.escape(town.department))<br>電話 \(Self.escape(town.phone))</footer>\n"
    }

    /// What each button confirms, in the words of the notice it came with.
    static func explanation(_ confirmation: Confirmation, _ kind: NoticeKind) -> String {
        switch confirmation {
        case .received:
            "お知らせを受け取り、内容を確認されたら「受け取りました」を押してください。"
        case .destroyed:
            kind == .alert || kind == .update
                ? "捜索が終わり、この案件の書類（FAX・印刷物・メール）をすべてシュレッダー等で処分・削除されたら「処分しました」を押してください。"
                : "この案件の書類（FAX・印刷物・メール）をすべてシュレッダー等で処分・削除されたら「処分しました」を押してください。"
        }
    }

    static func noticeName(_ kind: NoticeKind, town: Configuration.Town) -> String {
        switch kind {
        case .alert: "行方不明の方の発見へのご協力のお願い"
        case .update: "行方不明の方の情報更新（続報）"
        case .termination: "発見支援終結のお知らせ"
        case .destructionReminder: "書類の処分のお願い"
        case .destructionSecondReminder: "書類の処分について再度のお願い"
        case .concernReport, .concernResult, .shelterRequest, .shelterDestruction: "\(town.kind)からのお知らせ"
        }
    }

    static let style = """
        body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;font-size:18px;line-height:1.7;color:#1a1a1a;background:#fff;margin:0 auto;max-width:40em;padding:1.2em}\
        h1{font-size:1.35em;line-height:1.4;margin:.2em 0 .8em}\
        section{border-top:1px solid #ccc;padding:.6em 0 1em}\
        .drill{background:#fff3c4;border:2px solid #b58900;padding:.5em .8em;font-weight:bold}\
        .done{background:#e8f4ea;border-left:6px solid #2e7d32;padding:.5em .8em}\
        button{display:block;width:100%;min-height:3.2em;font-size:1.2em;font-weight:bold;color:#fff;background:#0b5cad;border:0;border-radius:.4em;cursor:pointer}\
        footer{border-top:1px solid #ccc;margin-top:1.5em;padding-top:.6em;font-size:.9em;color:#444}
        """

    static let styleHash = "sha256-" + Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString()

    /// Nothing but the inline style: no script, no images, no frames, forms only to this site.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src '\(styleHash)'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func page(_ status: Int, title: String, body: String) -> HTTPAnswer {
        let html = """
            <!DOCTYPE html>
            <html lang="ja">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex, nofollow">
            <title>\(Self.escape(title))｜\(Self.escape(town.name))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
        return HTTPAnswer(
            status: status, type: "text/html; charset=utf-8", body: Array(html.utf8),
            headers: [
                ("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer"), ("X-Content-Type-Options", "nosniff"),
                ("Content-Security-Policy", Self.contentSecurityPolicy), ("X-Frame-Options", "DENY"),
            ])
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
