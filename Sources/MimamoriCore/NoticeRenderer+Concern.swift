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
        context["consentText"] = report.consent ? "同意あり（対象者又は家族の同意を得ています）" : "同意なし（対象者・家族には伝わっていません）"
        context["urgentText"] = report.urgent ? "緊急の対応が必要" : "緊急の対応は不要"
        if let subject = report.subject {
            context["subject"] = [
                "name": subject.name ?? "不明", "address": subject.address ?? "不明",
            ].merging(subject.area.map { ["area": $0] } ?? [:]) { a, _ in a }
        }
        context["observation"] = report.observation ?? ""
        if let reporter = report.reporter {
            context["reporter"] = [
                "organization": reporter.organization, "name": reporter.name ?? "（名乗りなし）", "phone": reporter.phone,
                "resultBy": reporter.email != nil || reporter.fax != nil ? "書面（メール・FAX）" : "電話",
            ]
        }
        context["desks"] = route.desks.compactMap { concerns.desk($0)?.name }.joined(separator: "、")
        return notice(.concernReport, caseID: report.reportID, revision: report.sequence, drill: report.drill, context, photo: nil)
    }

    /// 結果報告 to the reporter: thanks, the report reference and the desk's words; never the
    /// subject's details beyond the name the reporter gave.
    public func concernResult(
        _ report: ConcernEvent, result: String, revision: Int, desk: Configuration.Concerns.Desk?, sentAt: Date
    ) -> RenderedNotice {
        var context = concernCommon(report, sentAt: sentAt)
        context["result"] = result
        if let name = report.subject?.name { context["subjectName"] = name }
        if let reporter = report.reporter { context["organization"] = reporter.organization }
        if let desk { context["desk"] = ["name": desk.name, "phone": desk.phone] }
        context["reportedDate"] = JapaneseDateFormat.date(report.issuedAt)
        return notice(.concernResult, caseID: report.reportID, revision: revision, drill: report.drill, context, photo: nil)
    }

    func concernCommon(_ report: ConcernEvent, sentAt: Date) -> [String: Any] {
        var context = common(caseID: report.reportID, drill: report.drill, sentAt: sentAt)
        context["reportRef"] = report.reportID.rawValue
        return context
    }
}
