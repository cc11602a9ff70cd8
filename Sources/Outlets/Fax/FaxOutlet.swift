import Foundation
import Logging
import Synchronization

/// Renders a `FaxDocument` as a PDF and hands it to the configured FAX service.
public final class FaxOutlet: Sendable {
    public let configuration: Configuration
    let email: EmailOutlet?
    let http: HTTPClient?
    private let logger: Logger
    /// What the sends of one document share, by document: every number of one notice gets the
    /// same document, so it is rendered once (concurrent sends of it wait for that one
    /// rendering), not once per number.
    private let rendered = Mutex<[FaxDocument: Task<Result<Prepared, OutletError>, Never>]>([:])
    /// The fit chosen for each document shape: with a confirmation band every number gets its
    /// own PDF, but the layout's measuring passes run once per notice.
    private let fits = Mutex<[FaxDocument: (fit: FaxFit, pages: Int)]>([:])

    /// - Parameter email: the outlet that carries gateway mail; required for `.emailGateway`.
    public init(configuration: Configuration, email: EmailOutlet? = nil, logger: Logger) throws(OutletError) {
        let hint = "check fax in mimamori.yaml"
        switch configuration.method {
        case .emailGateway(let gateway):
            guard email != nil else {
                throw .configuration("the email gateway method needs the email outlet", hint: hint)
            }
            guard gateway.addressPattern.contains("{number}") else {
                throw .configuration("fax.gateway must contain {number}", hint: hint)
            }
            http = nil
        case .httpAPI(let api):
            guard api.url.lowercased().hasPrefix("https://") || api.url.lowercased().hasPrefix("http://") else {
                throw .configuration("fax API URL must be http:// or https://", hint: hint)
            }
            http = HTTPClient(sessions: api.sessions, name: "fax-api")
        case .hylaFAX(let hylafax):
            guard Subprocess.locate(hylafax.sendfax) != nil else {
                throw .configuration(
                    "fax method is hylafax but \(hylafax.sendfax) is not installed",
                    hint: "install hylafax-client (sendfax) or choose another fax method")
            }
            http = nil
        }
        self.configuration = configuration
        self.email = email
        self.logger = logger
    }

    /// Renders and sends one FAX; returns the service's receipt once it accepted the job.
    public func send(_ delivery: FaxDelivery) async throws(OutletError) -> FaxReceipt {
        let prepared = try await prepared(delivery.document)
        let receipt: FaxReceipt
        do {
            switch configuration.method {
            case .emailGateway(let gateway):
                receipt = try await sendByMail(delivery, mail: prepared.mail, gateway: gateway)
            case .httpAPI(let api):
                receipt = try await sendByAPI(delivery, pdf: prepared.pdf, api: api)
            case .hylaFAX(let hylafax):
                receipt = try await sendByHylaFAX(delivery, pdf: prepared.pdf, hylafax: hylafax)
            }
        } catch {
            logger.info(
                "fax.failed",
                metadata: .keys([
                    .delivery: "\(delivery.idempotencyKey)", .code: "\(error.code)",
                    .retriable: "\(error.isRetriable)", .http: "\(error.httpStatus.map(String.init) ?? "-")",
                ]))
            throw error
        }
        logger.debug(
            "fax.accepted", metadata: .keys([.delivery: "\(delivery.idempotencyKey)", .job: "\(receipt.jobID ?? "-")"]))
        return receipt
    }

    /// What every send of one document shares: its PDF and, through the mail gateway, the
    /// encoded mail that carries it (to every number alike but for the recipient's lines).
    struct Prepared: Sendable {
        var pdf: Data
        var mail: MIMEMessage.Content?
    }

    /// The document's PDF (and gateway mail), made on a render thread the first time it is
    /// asked for; a failure is not kept.
    func prepared(_ document: FaxDocument) async throws(OutletError) -> Prepared {
        let renderer = configuration.renderer
        let task = rendered.withLock { cache in
            if let task = cache[document] { return task }
            if cache.count >= 16 { cache.removeAll(keepingCapacity: true) }
            let task = Task<Result<Prepared, OutletError>, Never> {
                do throws(OutletError) {
                    let shape = document.shape
                    let known = self.fits.withLock { $0[shape] }
                    let (rendering, prepared) = try await Self.render(
                        document, known: known, with: renderer, mail: self.gatewayMail(for: document))
                    self.fits.withLock { fits in
                        if fits.count >= 16 { fits.removeAll(keepingCapacity: true) }
                        fits[shape] = (rendering.fit, rendering.pages)
                    }
                    return .success(prepared)
                } catch {
                    return .failure(error)
                }
            }
            cache[document] = task
            return task
        }
        let result = await task.value
        if case .failure = result { rendered.withLock { _ = $0.removeValue(forKey: document) } }
        return try result.get()
    }

    /// How the PDF becomes the gateway's mail, nil for the other methods. Encoded with the PDF
    /// on the render thread: its base64 is most of a gateway send's own work, and done for
    /// every number on the channel's thread it held each one back behind the others.
    func gatewayMail(for document: FaxDocument) -> (@Sendable (Data) throws(OutletError) -> MIMEMessage.Content)? {
        guard case .emailGateway(let gateway) = configuration.method, let email else { return nil }
        let filename = configuration.filename
        return { pdf throws(OutletError) in
            try email.prepare(
                from: gateway.from, subject: gateway.subject ?? document.title, body: gateway.body,
                attachments: [EmailAttachment(filename: filename, mediaType: "application/pdf", bytes: pdf)])
        }
    }

    /// Where PDFs are laid out: pango and cairo block, so not on the cooperative pool, and on
    /// threads that live on, because pango keeps its font map per thread (on a new thread each
    /// time, every notice loaded the fonts again). Two: a town's server has few cores, and each
    /// thread holds its own copy of the fonts once it has rendered. Started by the first FAX.
    static let renderThreads = WorkerThreads<Void>(count: 2, name: "fax-render") {}

    static func render(
        _ document: FaxDocument, known: (fit: FaxFit, pages: Int)?, with renderer: FaxRenderer,
        mail: (@Sendable (Data) throws(OutletError) -> MIMEMessage.Content)?
    ) async throws(OutletError) -> (FaxRenderer.Rendering, Prepared) {
        let result = await renderThreads.run { () -> Result<(FaxRenderer.Rendering, Prepared), OutletError> in
            do throws(OutletError) {
                let rendering = try renderer.render(document, known: known)
                return .success((rendering, Prepared(pdf: rendering.pdf, mail: try mail?(rendering.pdf))))
            } catch {
                return .failure(error)
            }
        }
        guard let result else {
            throw OutletError(
                code: .shutDown, isRetriable: true, message: "the FAX render threads are shut down",
                operatorHint: "the daemon is stopping; the delivery resumes after restart")
        }
        return try result.get()
    }

    /// The PDF a delivery would send, for `mimamori render`.
    public func render(_ document: FaxDocument) throws(OutletError) -> Data {
        try configuration.renderer.pdf(document)
    }

    public func shutdown() async {
        await http?.shutdown()
    }
}
