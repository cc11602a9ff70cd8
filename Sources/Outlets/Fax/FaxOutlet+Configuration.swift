import Foundation

extension FaxOutlet {
    /// `fax:` in mimamori.yaml: one delivery method and its settings.
    public struct Configuration: Sendable {
        public enum Method: Sendable {
            case emailGateway(EmailGateway)
            case httpAPI(HTTPAPI)
            case hylaFAX(HylaFAX)
        }

        /// Internet FAX by mail (the common Japanese form): the PDF attached to a mail to
        /// `{number}@gateway`, sent through the `EmailOutlet`.
        public struct EmailGateway: Sendable {
            /// `{number}` is replaced by the formatted number, e.g. `{number}@fax.example.jp`.
            public var addressPattern: String
            public var numberFormat: FaxNumberFormat
            public var from: EmailAddress
            /// Some gateways read the subject (cover sheet, a PIN); nil sends the document title.
            public var subject: String?
            public var body: String

            public init(
                addressPattern: String, numberFormat: FaxNumberFormat = .japaneseDomestic,
                from: EmailAddress, subject: String? = nil,
                body: String = "添付のPDFをFAXで送信してください。"
            ) {
                self.addressPattern = addressPattern
                self.numberFormat = numberFormat
                self.from = from
                self.subject = subject
                self.body = body
            }
        }

        /// A REST FAX service: multipart/form-data POST of the PDF and the number with a bearer
        /// token and an `Idempotency-Key`, answering JSON with the job id.
        public struct HTTPAPI: Sendable {
            public var url: String
            /// From the `fax-token` credential file; read at each request, so a rotated token
            /// applies without a restart.
            public var tokenCredential: Credential
            public var token: String { tokenCredential.value }
            public var numberFormat: FaxNumberFormat
            public var numberField: String
            public var fileField: String
            /// Top-level JSON key of the job id in the answer.
            public var jobIDField: String
            public var caFile: String?
            public var sessions: Int
            public var timeouts: OutletTimeouts

            public init(
                url: String, token: String, numberFormat: FaxNumberFormat = .e164,
                numberField: String = "to", fileField: String = "file", jobIDField: String = "id",
                caFile: String? = nil, sessions: Int = 2,
                timeouts: OutletTimeouts = OutletTimeouts(connect: .seconds(10), total: .seconds(120))
            ) {
                self.init(
                    url: url, token: Credential(token), numberFormat: numberFormat, numberField: numberField,
                    fileField: fileField, jobIDField: jobIDField, caFile: caFile, sessions: sessions, timeouts: timeouts)
            }

            public init(
                url: String, token: Credential, numberFormat: FaxNumberFormat = .e164,
                numberField: String = "to", fileField: String = "file", jobIDField: String = "id",
                caFile: String? = nil, sessions: Int = 2,
                timeouts: OutletTimeouts = OutletTimeouts(connect: .seconds(10), total: .seconds(120))
            ) {
                self.url = url
                self.tokenCredential = token
                self.numberFormat = numberFormat
                self.numberField = numberField
                self.fileField = fileField
                self.jobIDField = jobIDField
                self.caFile = caFile
                self.sessions = sessions
                self.timeouts = timeouts
            }
        }

        /// HylaFAX's `sendfax` on this machine (it queues to the local or a given server).
        public struct HylaFAX: Sendable {
            public var sendfax: String
            /// Lists the queues (`faxstat -s -d`): what became of each job. Beside `sendfax` unless given.
            public var faxstat: String
            public var host: String?
            public var numberFormat: FaxNumberFormat
            public var timeout: Duration

            public init(
                sendfax: String = "sendfax", faxstat: String? = nil, host: String? = nil,
                numberFormat: FaxNumberFormat = .japaneseDomestic, timeout: Duration = .seconds(60)
            ) {
                self.sendfax = sendfax
                self.faxstat =
                    faxstat
                    ?? (sendfax.contains("/")
                        ? (sendfax as NSString).deletingLastPathComponent + "/faxstat" : "faxstat")
                self.host = host
                self.numberFormat = numberFormat
                self.timeout = timeout
            }
        }

        public var method: Method
        public var renderer: FaxRenderer
        /// File name of the PDF as the service sees it (no personal data: it may be logged there).
        public var filename: String

        public init(method: Method, renderer: FaxRenderer = FaxRenderer(), filename: String = "notice.pdf") {
            self.method = method
            self.renderer = renderer
            self.filename = filename
        }
    }
}
