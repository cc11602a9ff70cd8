import MimamoriCore
import Outlets

extension FaxDocument {
    /// The core's FAX page as the PDF renderer's document: the drill banner on every page of a
    /// drill, the lead and the framed sightings number before the photo and the table, the photo
    /// only when the notice carries one (consent.photo), the case reference in the footer.
    public init(notice: RenderedNotice) {
        let page = notice.fax
        var photo: FaxDocument.Photo?
        if page.photoAttached, let p = notice.photo {
            photo = FaxDocument.Photo(bytes: p.data, mediaType: p.mediaType.rawValue, caption: "ご本人の写真（ご家族の同意を得て掲載）")
        }
        self.init(
            title: page.title, drillBanner: notice.drill ? "【訓練】これは訓練です" : nil,
            lead: page.lead.map { FaxDocument.Paragraph($0) } + (page.callout.map { [FaxDocument.Paragraph($0, style: .boxed)] } ?? []),
            rows: page.rows.map { FaxDocument.Row($0.label, $0.value) }, photo: photo,
            paragraphs: page.paragraphs.map { FaxDocument.Paragraph($0) },
            footer: "案件番号 \(notice.caseID.rawValue)")
    }
}
