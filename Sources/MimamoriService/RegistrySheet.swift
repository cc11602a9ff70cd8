import Foundation
import MimamoriCore
import Outlets

/// The sheet the town gives the police for an inquiry (取組の概要: 必要に応じ警察からの照会等に応じる;
/// 要綱 第3条第4号, the early identification of a person found): one A4 page with everything the
/// registry holds, the photo included whatever the consent for notices, under who asked, why,
/// and who printed it when. It is laid out by the FAX renderer (`FaxDocument.Layout.sheet`), so it
/// can be printed or faxed to the station alike.
public enum RegistrySheet {
    /// Who asked and why, and who printed the sheet: on the sheet and in the registry's audit.
    public struct Inquiry: Sendable, Hashable {
        /// 照会者: the station and officer (海南警察署 生活安全課 山田).
        public var requestedBy: String
        /// 照会の理由 (身元不明の高齢者の保護、11月27日 美里).
        public var reason: String
        /// The staff member who printed it (their login).
        public var printedBy: String
        public var printedAt: Date

        public init(requestedBy: String, reason: String, printedBy: String, printedAt: Date) {
            self.requestedBy = requestedBy
            self.reason = reason
            self.printedBy = printedBy
            self.printedAt = printedAt
        }

        /// The audit row's reason: who asked and why (never a field of the registration).
        public var auditReason: String { "照会者: \(requestedBy) / 理由: \(reason)" }
    }

    public static func document(_ registration: Registration, inquiry: Inquiry, town: Configuration.Town) -> FaxDocument {
        let today = JapaneseCalendar.localDate(of: inquiry.printedAt)
        let rows = RegistrationSheet.rows(registration, today: today, photoShown: registration.photo != nil)
            .map { FaxDocument.Row($0.label, $0.value) }
        let photo = registration.photo.map {
            FaxDocument.Photo(
                bytes: $0.data, mediaType: $0.mediaType.rawValue,
                caption: $0.consentForNotices ? "登録時の写真" : "登録時の写真（照会への回答にだけ使う）")
        }
        let network = town.network.map { "\($0) " } ?? ""
        let lead = [
            FaxDocument.Paragraph(
                "照会者: \(inquiry.requestedBy)\n照会の理由: \(inquiry.reason)\n出力: \(JapaneseDateFormat.dateTime(inquiry.printedAt))　\(town.name) \(town.department)（\(inquiry.printedBy)）",
                style: .boxed),
            FaxDocument.Paragraph("保護された方の身元確認のため、\(network)登録簿の記載をお知らせします（家族から届け出のあった内容です）。"),
        ]
        let citation = town.regulation.map { "（\($0)第14条）" } ?? ""
        return FaxDocument(
            title: "\(network)登録者情報（照会への回答）", lead: lead, rows: rows, photo: photo,
            footer: "個人情報です。照会の目的にだけ使い、用が済んだら裁断してください\(citation)。問い合わせ: \(town.name) \(town.department) \(town.phone)",
            created: inquiry.printedAt, layout: .sheet)
    }
}
