import Foundation

extension NoticeRenderer {
    /// What the form prints where the town does not know a field (no registration): the
    /// facility fills it in with the family or the body that protected the person.
    public static let shelterUnknown = "（ご家族・保護機関に確認のうえご記入ください）"

    /// 緊急一時保護依頼書 (第1号様式, 取り扱い第3条第2項): the FAX to the facility, laid out as the form
    /// (第　号, the date, 〇〇 様, the town head, 「次の者について、緊急一時保護を委託します。」, 記, then
    /// the form's rows), and in its email part the staff's copy. An amended request (an
    /// extension) says 「（変更）」 and carries the new period.
    public func shelterRequest(
        _ request: ShelterRequest, stay: ShelterStay, facility: Configuration.Shelter.Facility, sentAt: Date
    ) -> RenderedNotice {
        var context = common(caseID: stay.caseID, drill: stay.drill, sentAt: sentAt)
        context["number"] = stay.requestNumber
        context["amended"] = stay.amendments > 0
        context["issuedDate"] = JapaneseDateFormat.date(sentAt)
        context["facility"] = ["name": facility.name, "fax": facility.fax, "phone": facility.phone]
        context["kana"] = request.nameKana ?? Self.shelterUnknown
        context["name"] = request.name ?? Self.shelterUnknown
        context["sex"] = Self.sexLabel(request.sex) ?? "不明"
        let age = request.age(on: stay.startsOn).map { "\($0)歳" }
        if let birth = request.dateOfBirth {
            context["birth"] = JapaneseDateFormat.birthDate(birth) + "生" + (age.map { "（\($0)）" } ?? "")
        } else {
            context["birth"] = age.map { "年齢 \($0)（生年月日はご家族・保護機関に確認のうえご記入ください）" } ?? Self.shelterUnknown
        }
        context["phone"] = request.phone ?? Self.shelterUnknown
        context["address"] = request.address ?? Self.shelterUnknown
        context["contacts"] =
            request.contacts.isEmpty
            ? "ご家族の連絡先は、\(town.name)\(town.department)（電話 \(town.phone)）へお問い合わせください"
            : request.contacts.map { c in "\(c.name)（" + (c.relation.map { "\($0)、" } ?? "") + "電話 \(c.phone)）" }
                .joined(separator: "、")
        context["protectedBy"] = request.protectedBy ?? Self.shelterUnknown
        context["period"] = Self.shelterPeriod(stay)
        context["lastDay"] = JapaneseDateFormat.date(stay.endsOn)
        let care = (request.careLevel.map { [$0] } ?? []) + request.careNotes
        context["care"] = care.isEmpty ? "（登録された情報はありません。ご家族・保護機関に確認してください）" : care.joined(separator: "、")
        if ShelterStay.needsApproval(days: stay.days) {
            context["approvalNote"] = "2日を超える期間は、町長が特に必要と認めたものです（取り扱い第5条ただし書）。"
        }
        return notice(.shelterRequest, caseID: stay.caseID, revision: stay.revision, drill: stay.drill, context, photo: nil)
    }

    /// The facility's reminder once the stay has ended: destroy the request (and its
    /// amendments) when the fees are claimed. The case reference, the request numbers and the
    /// dates only, no personal data.
    public func shelterDestruction(stay: ShelterStay, facility: Configuration.Shelter.Facility, sentAt: Date) -> RenderedNotice {
        var context = common(caseID: stay.caseID, drill: stay.drill, sentAt: sentAt)
        context["facility"] = ["name": facility.name, "fax": facility.fax, "phone": facility.phone]
        var numbers = [stay.caseID.rawValue]
        if stay.amendments > 0 { numbers += (1...stay.amendments).map { "\(stay.caseID.rawValue)-\($0 + 1)" } }
        context["numbers"] = numbers.map { "第 \($0) 号" }.joined(separator: "、")
        context["period"] = Self.shelterPeriod(stay)
        context["endedDate"] = JapaneseDateFormat.date(stay.endedAt ?? sentAt)
        return notice(.shelterDestruction, caseID: stay.caseID, revision: stay.revision, drill: stay.drill, context, photo: nil)
    }

    /// 委託期間: 2026年4月1日（水）から2026年4月2日（木）まで（2日間）.
    static func shelterPeriod(_ stay: ShelterStay) -> String {
        "\(JapaneseDateFormat.date(stay.startsOn))から\(JapaneseDateFormat.date(stay.endsOn))まで（\(stay.days)日間）"
    }
}
