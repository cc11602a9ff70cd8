import Foundation
import Logging

/// Sends a broadcast to the disaster radio: CAP 1.2 POSTed to the radio gateway, and/or the
/// script (+ audio, + CAP) written to a spool folder a console watches.
public final class RadioOutlet: Sendable {
    public struct Configuration: Sendable {
        /// Where to POST CAP (`application/cap+xml`); nil: spool only.
        public var capURL: String?
        /// Extra headers for the gateway, e.g. `Authorization: Bearer …` from a credential.
        public var capHeaders: [String]
        public var caFile: String?
        public var spool: RadioSpool?
        public var timeouts: OutletTimeouts
        /// The offset written in CAP times.
        public var timeZone: TimeZone

        public init(
            capURL: String? = nil, capHeaders: [String] = [], caFile: String? = nil,
            spool: RadioSpool? = nil, timeouts: OutletTimeouts = OutletTimeouts(),
            timeZone: TimeZone = MIMEMessage.japan
        ) {
            self.capURL = capURL
            self.capHeaders = capHeaders
            self.caFile = caFile
            self.spool = spool
            self.timeouts = timeouts
            self.timeZone = timeZone
        }
    }

    /// What was done for a broadcast.
    public struct Receipt: Sendable, Hashable {
        public var httpStatus: Int?
        public var spooledFiles: [String]
    }

    public let configuration: Configuration
    private let http: HTTPClient?
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) throws(OutletError) {
        let hint = "check radio in mimamori.yaml"
        guard configuration.capURL != nil || configuration.spool != nil else {
            throw .configuration("radio needs cap-url, spool, or both", hint: hint)
        }
        if let url = configuration.capURL?.lowercased(), !url.hasPrefix("http://") && !url.hasPrefix("https://") {
            throw .configuration("radio.cap-url must be http:// or https://", hint: hint)
        }
        try configuration.spool?.validate()
        self.configuration = configuration
        http = configuration.capURL == nil ? nil : HTTPClient(sessions: 1, name: "radio")
        self.logger = logger
    }

    /// The CAP XML of a broadcast (also for `mimamori render`).
    public func cap(_ broadcast: RadioBroadcast) throws(OutletError) -> String {
        try CAPDocument(broadcast, timeZone: configuration.timeZone).xml
    }

    /// Spools first (local, the console's path), then POSTs. A retry after a failed POST finds
    /// the spool already written and leaves it alone.
    public func send(_ broadcast: RadioBroadcast) async throws(OutletError) -> Receipt {
        let xml = try cap(broadcast)
        var receipt = Receipt(httpStatus: nil, spooledFiles: [])
        do {
            if let spool = configuration.spool {
                receipt.spooledFiles = try await spool.write(identifier: broadcast.identifier, script: broadcast.script, cap: xml)
            }
            if let http, let url = configuration.capURL {
                let request = HTTPClient.Request(
                    url: url, headers: configuration.capHeaders,
                    body: .bytes(Array(xml.utf8), contentType: "application/cap+xml"),
                    timeouts: configuration.timeouts, caFile: configuration.caFile)
                receipt.httpStatus = try await http.post(request, hint: "check radio.cap-url").get().status
            }
        } catch {
            logger.info(
                "radio.failed",
                metadata: .keys([
                    .delivery: "\(broadcast.identifier)", .code: "\(error.code)",
                    .retriable: "\(error.isRetriable)", .http: "\(error.httpStatus.map(String.init) ?? "-")",
                ]))
            throw error
        }
        logger.debug("radio.accepted", metadata: .keys([.delivery: "\(broadcast.identifier)"]))
        return receipt
    }

    public func shutdown() async {
        await http?.shutdown()
    }
}
