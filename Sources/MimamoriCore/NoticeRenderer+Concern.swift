import Foundation

extension NoticeRenderer {
    /// 情報提供 to the desks (seed section 7's table): every item the reporter gave, whether
    /// consent to share was given, 【至急】 when urgent, and the desks it went to. The reporter's
    /// details appear here and nowhere else.
    public func concernReport(
        _ report: ConcernEvent, route: ConcernRoute, concerns: Configuration.Concerns, sentAt: Date
    ) -> RenderedNotice {
        var context = concernCommon(report, sentAt: sentAt)
        context["urgent"] = report.urgent
        context["consent"] = report.consent
        context["consentText"] = report.consent ? "あり（対象者又はその家族の同意を得ています）" : "なし（対象者・家族の同意は得ていません）"
        context["urgentText"] = report.urgent ? "あり（緊急の対応が必要です）" : "なし（緊急の対応は必要ないとのことです）"
        context["reportedAt"] = JapaneseDateFormat.dateTime(report.issuedAt)
        if let subject = report.subject {
            var s: [String: Any] = ["name": subject.name ?? "不明", "address": subject.address ?? "不明"]
            if let area = subject.area { s["area"] = area }
            context["subject"] = s
        }
        context["observation"] = report.observation ?? ""
        if let reporter = report.reporter {
            let written = [reporter.email.map { _ in "メール" }, reporter.fax.map { _ in "FAX" }].compactMap { $0 }
            context["reporter"] = [
                "organization": reporter.organization, "name": reporter.name ?? "（名乗りなし）", "phone": reporter.phone,
                "resultBy": written.isEmpty ? "電話（書面の連絡先はありません）" : "書面（" + written.joined(separator: "・") + "）",
                "byPhone": written.isEmpty,
            ]
        }
        let names = route.desks.compactMap { concerns.desk($0)?.name }
        context["desks"] = names.joined(separator: "、")
        context["severalDesks"] = names.count > 1
        return notice(.concernReport, caseID: report.reportID, revision: report.sequence, drill: report.drill, context, photo: nil)
    }

    /// 結果報告 to the reporter: thanks, the report reference and the desk's words. Nothing of
    /// the reporter (a FAX lies on a shop's counter) and nothing of the subject beyond the name
    /// the reporter gave: not the address, the area or what was observed, nor the station that
    /// took it (its name is the area's). Questions go to the town's department, as signed.
    public func concernResult(_ report: ConcernEvent, result: String, revision: Int, sentAt: Date) -> RenderedNotice {
        var context = concernCommon(report, sentAt: sentAt)
        context["result"] = result
        if let name = report.subject?.name { context["subjectName"] = name }
        context["reportedDate"] = JapaneseDateFormat.date(report.issuedAt)
        return notice(.concernResult, caseID: report.reportID, revision: revision, drill: report.drill, context, photo: nil)
    }

    func concernCommon(_ report: ConcernEvent, sentAt: Date) -> [String: Any] {
        var context = common(caseID: report.reportID, drill: report.drill, sentAt: sentAt)
        context["reportRef"] = report.reportID.rawValue
        return context
    }
}
