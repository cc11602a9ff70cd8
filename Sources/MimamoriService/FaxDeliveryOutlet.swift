import Foundation
import Ledger
import Logging
import MimamoriCore
import Outlets

/// The FAX channel: the notice as an A4 PDF sent to each institution's number by the method of
/// `fax.method`. Owns the `fax:` section. The PDF is rendered once per notice, or once per
/// delivery when `confirm:` puts the delivery's own QR code and reply strip on it.
public struct FaxDeliveryOutlet: ChannelAdapter {
    public static let channel = Channel.fax
    public var channel: Channel { Self.channel }
    public let concurrency: Int
    public let outlet: FaxOutlet
    /// Where the service's job id of each accepted FAX is kept, for its status reports.
    let lines: (any FaxLineStore)?
    private let notices = NoticeCache()
    private let logger = Logger(label: "mimamori.fax")
    /// `confirm:` and the town, for the reply band; nil confirm: no band.
    private let confirm: Configuration.Confirm?
    private let town: Configuration.Town

    /// FAX sent at once through an HTTP provider or HylaFAX (a town has tens of institutions;
    /// providers limit parallel jobs).
    static let faxConcurrency = 4

    /// FAX sent at once by `fax.method`. Through the mail gateway a FAX is a mail on the email
    /// channel's SMTP sessions, which bound it already: as many as there are sessions, so the
    /// institutions' mails leave together once their PDF is rendered, not four at a time.
    static func concurrency(_ method: Configuration.Fax.Method, email: Configuration.Email) -> Int {
        switch method {
        case .emailGateway: max(faxConcurrency, email.sessions)
        case .httpAPI, .hylafax: faxConcurrency
        }
    }
    /// How the PDF is laid out, for the daemon and `mimamori render` alike.
    static let renderer = FaxRenderer()

    public init(
        outlet: FaxOutlet, concurrency: Int, lines: (any FaxLineStore)? = nil, confirm: Configuration.Confirm?,
        town: Configuration.Town
    ) {
        self.outlet = outlet
        self.concurrency = concurrency
        self.lines = lines
        self.confirm = confirm
        self.town = town
    }

    public static func make(_ context: ChannelContext) throws(OutletError) -> FaxDeliveryOutlet? {
        let configuration = context.configuration
        let method: FaxOutlet.Configuration.Method
        switch configuration.fax.method {
        case .emailGateway:
            method = .emailGateway(
                .init(
                    addressPattern: configuration.fax.gateway ?? "", from: EmailAddress(parsing: configuration.email.from),
                    subject: "\(configuration.town.name) \(configuration.town.department) FAX送信依頼"))
        case .httpAPI:
            guard let token = context.faxToken else {
                throw OutletError(
                    code: .configuration, isRetriable: false, message: "fax.method http-api needs the fax-token credential",
                    operatorHint: "put the FAX API token into the fax-token credential (LoadCredential=)")
            }
            // One HTTP session per FAX the dispatcher sends at once: fewer would queue the rest
            // behind a slow provider's answers.
            method = .httpAPI(.init(url: configuration.fax.url ?? "", token: token, sessions: faxConcurrency))
        case .hylafax:
            method = .hylaFAX(.init(sendfax: configuration.fax.sendfax, host: configuration.fax.host))
        }
        let fax = try FaxOutlet(
            configuration: .init(method: method, renderer: renderer), email: context.mail, logger: Logger(label: "mimamori.fax"))
        return FaxDeliveryOutlet(
            outlet: fax, concurrency: concurrency(configuration.fax.method, email: configuration.email),
            lines: context.ledger as? any FaxLineStore, confirm: configuration.confirm, town: configuration.town)
    }

    /// The core's FAX page as the PDF renderer's document: the drill banner on every page of a
    /// drill (the template's words; the core's when a template or a notice stored before has none), the lead and the framed sightings number before the photo and the table, the photo
    /// only when the notice carries one (consent.photo), the case reference in the footer, the
    /// delivery's confirmation band at the foot of the last page when it asks for one. Dated
    /// `created`, so every attempt and `mimamori render` give the same PDF.
    static func document(_ notice: RenderedNotice, created: Date, confirmation: ConfirmationRequest? = nil) -> FaxDocument {
        let page = notice.fax
        var photo: FaxDocument.Photo?
        if page.photoAttached, let p = notice.photo {
            photo = FaxDocument.Photo(bytes: p.data, mediaType: p.mediaType.rawValue, caption: "ご本人の写真（ご家族の同意を得て掲載）")
        }
        return FaxDocument(
            title: page.title, drillBanner: page.banner ?? drillMark(drill: notice.drill)?.banner,
            lead: page.lead.enumerated().map { index, text in FaxDocument.Paragraph(text, style: style(page.alignment(ofLead: index))) }
                + (page.callout.map { [FaxDocument.Paragraph($0, style: .boxed)] } ?? []),
            rows: page.rows.map { FaxDocument.Row($0.label, $0.value) }, photo: photo,
            paragraphs: page.paragraphs.map { FaxDocument.Paragraph($0) },
            footer: "\(notice.kind.isConcern ? "受付番号" : "案件番号") \(notice.caseID.rawValue)",
            reply: confirmation.map(FaxDocument.Reply.init), created: created)
    }

    static func style(_ alignment: RenderedNotice.FaxPage.Alignment) -> FaxDocument.Paragraph.Style {
        switch alignment {
        case .left: .normal
        case .right: .right
        case .centre: .centred
        }
    }

    public func deliver(_ job: DeliveryJob) async throws(DeliveryFailure) {
        let notice = try notices.notice(for: job)
        let confirmation = ConfirmationRequest(job, confirm: confirm, town: town)
        let delivery = FaxDelivery(
            number: job.address, document: Self.document(notice, created: job.notBefore, confirmation: confirmation),
            idempotencyKey: job.idempotencyKey, date: Date(), resends: job.resends, lineTries: job.lineTries)
        let receipt: FaxReceipt
        do {
            receipt = try await outlet.send(delivery)
        } catch {
            throw DeliveryFailure(outletError: error)
        }
        guard let jobID = receipt.jobID, let lines else { return }
        do throws(LedgerError) {
            try await lines.recordFaxJob(jobID, for: job.id)
        } catch {
            // Accepted all the same: a status report naming our Idempotency-Key still finds it.
            logger.warning(
                "fax.job-unrecorded", metadata: .keys([.case: "\(job.caseID)", .recipient: "\(job.recipient)", .code: "\(error.code)"]))
        }
    }

    /// `<kind>.fax.pdf` as an institution's FAX would print it, and a PNG of each page; with
    /// `confirm:`, the reply band carries the sample code.
    public static func render(_ notice: RenderedNotice, delivery: PlannedDelivery, configuration: Configuration) throws(OutletError)
        -> [RenderedFile]
    {
        let kind = notice.kind.rawValue
        let pdf = try renderer.pdf(
            document(notice, created: delivery.notBefore, confirmation: .sample(for: delivery, configuration: configuration)))
        var files = [RenderedFile(name: "\(kind).fax.pdf", bytes: pdf)]
        for (index, png) in try FaxRenderer.previewPNG(pdf: pdf).enumerated() {
            files.append(RenderedFile(name: "\(kind).fax-\(index + 1).png", bytes: png))
        }
        return files
    }

    public func shutdown() async { await outlet.shutdown() }
}

extension FaxDocument.Reply {
    /// The band in the words the core wrote for the delivery.
    init(_ request: ConfirmationRequest) {
        self.init(
            lead: request.faxLead, link: request.links.page, code: request.code.rawValue, boxes: request.asks.map(\.japanese),
            instruction: request.replyInstruction)
    }
}
