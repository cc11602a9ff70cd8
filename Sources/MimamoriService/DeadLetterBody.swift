import AMQP
import Crypto

/// Which dead letters keep their body. A dead queue holds personal data until its TTL (the
/// retention) runs out, so a body is kept only where a replay (`mimamori dead-letters --replay`)
/// can still make it succeed once the town fixes its own side; every other copy carries its
/// headers, reason, size and SHA-256 only (enough to match it with the publisher's copy).
///
/// | reason | body | why |
/// |---|---|---|
/// | `signature.unknown-key` | kept | a key rotation: install the key, replay |
/// | `case.unknown` | kept | an update or closure whose opening was held up (e.g. by an unknown key): replay after it |
/// | `concern.unknown-report` | kept | a concern's result whose report was held up: replay after it |
/// | `ledger.constraint`, `ledger.caller` | kept | our own fault: report, fix, replay |
/// | `signature.missing`, `signature.invalid`, `signature.malformed`, `body.oversized` | dropped | unsigned, forged or oversized: nobody vouches for it, nothing can replay it |
/// | every other reason (`body.*`, `field.*`, `schema.*`, `case.other-municipality`, …) | dropped | the publisher must send it again; a reason added later drops its body until it is listed here |
public enum DeadLetterBody {
    public static let sizeHeader = "x-mimamori-size"
    public static let sha256Header = "x-mimamori-sha256"

    /// The one decision: does a message dead-lettered for `reason` keep its body?
    public static func isKept(reason: String) -> Bool {
        switch reason {
        case "signature.unknown-key", "case.unknown", "concern.unknown-report", "ledger.constraint", "ledger.caller": true
        default: false
        }
    }

    /// The copy for the dead queue.
    public static func copy(reason: String, body: [UInt8]) -> AMQPConnection.DeadLetterCopy {
        guard !isKept(reason: reason) else { return .whole }
        return .withoutBody(adding: [sizeHeader: .int(Int64(body.count)), sha256Header: .string(sha256(body))])
    }

    /// Lowercase hex, as `sha256sum` prints it.
    public static func sha256(_ body: [UInt8]) -> String {
        SHA256.hash(data: body).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// True for a copy whose body was not kept (the size header says what it was).
    public static func wasDropped(headers: [String: AMQPHeaderValue], body: [UInt8]) -> Bool {
        body.isEmpty && headers[sizeHeader] != nil
    }
}
