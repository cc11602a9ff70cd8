import Foundation
import Yams

extension Configuration {
    /// `confirm:`: receipts and destruction confirmations. Each alert, update, termination and
    /// destruction reminder carries its delivery's code as links (email) or a QR code, a short
    /// URL and a reply strip (FAX); the daemon's confirmation endpoint records what cooperators
    /// confirm. Without the section notices carry no codes and nothing listens.
    public struct Confirm: Sendable, Hashable {
        /// Where the endpoint listens: loopback, behind the town's reverse proxy.
        public var listen = "127.0.0.1:9465"
        /// The address cooperators reach (the reverse proxy's): every link, short URL and QR
        /// code is built from it (`https://mimamori.town.example.jp`).
        public var publicURL: String
        /// The FAX number the reply strip is sent back to; nil: the strip names the town's
        /// phone only, and the staff record what they are told with `mimamori confirm`.
        public var replyFax: String?

        public init(publicURL: String) { self.publicURL = publicURL }

        /// The links of one code.
        public func links(_ code: ConfirmationCode) -> ConfirmationLinks {
            ConfirmationLinks(publicURL: publicURL, code: code)
        }
    }
}

extension SettingsReader {
    mutating func confirm(_ node: Node?) -> Configuration.Confirm? {
        guard let c = mapping(node, "confirm", allowed: ["listen", "public-url", "reply-fax"]) else { return nil }
        let publicURL = url(c["public-url"], "confirm.public-url", schemes: ["https", "http"])
        if c["public-url"] == nil {
            problem(
                "confirm.public-url", "required: the address cooperators open (the reverse proxy's), e.g. https://mimamori.town.example.jp")
        }
        var confirm = Configuration.Confirm(publicURL: publicURL ?? "")
        if let v = string(c["listen"], "confirm.listen") {
            let host = String(v[..<(v.lastIndex(of: ":") ?? v.endIndex)])
            if let port = v.split(separator: ":").last.flatMap({ Int($0) }), (1...65535).contains(port), v.contains(":") {
                if Configuration.Metrics.isLoopback(host: host) {
                    confirm.listen = v
                } else {
                    problem(
                        "confirm.listen",
                        "\(host) is not a loopback address: the endpoint is meant to sit behind the town's reverse proxy (TLS, access log); listen on 127.0.0.1"
                    )
                }
            } else {
                problem("confirm.listen", "must be host:port, e.g. 127.0.0.1:9465")
            }
        }
        if let v = string(c["reply-fax"], "confirm.reply-fax") {
            if Addresses.normalisedFaxNumber(v) == nil { problem("confirm.reply-fax", "not a Japanese FAX number (e.g. 073-489-5999)") }
            confirm.replyFax = v
        }
        return confirm
    }
}
