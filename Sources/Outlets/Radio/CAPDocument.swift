import Foundation

/// A CAP 1.2 `alert` (OASIS Common Alerting Protocol) for one `RadioBroadcast`, with elements
/// in the schema's order, everything escaped, times with an explicit offset as CAP requires.
public struct CAPDocument: Sendable {
    public static let namespace = "urn:oasis:names:tc:emergency:cap:1.2"

    public let broadcast: RadioBroadcast
    public let timeZone: TimeZone

    public init(_ broadcast: RadioBroadcast, timeZone: TimeZone = MIMEMessage.japan) throws(OutletError) {
        for (name, value) in [("identifier", broadcast.identifier), ("sender", broadcast.sender), ("incident", broadcast.incident)]
            + broadcast.references.flatMap({ [("reference sender", $0.sender), ("reference identifier", $0.identifier)] })
        {
            // CAP 1.2 3.2.1: no spaces, commas or restricted characters (< and &).
            guard !value.isEmpty, !value.contains(where: { $0.isWhitespace || $0 == "," || $0 == "<" || $0 == "&" })
            else { throw .invalidInput("CAP \(name) is empty or has spaces, commas, < or &") }
        }
        if broadcast.kind != .alert && broadcast.references.isEmpty {
            throw .invalidInput("a CAP Update or Cancel must reference the message it replaces")
        }
        if broadcast.expires < broadcast.sent { throw .invalidInput("CAP expires is before sent") }
        for (name, value) in [("headline", broadcast.headline), ("script", broadcast.script), ("area", broadcast.areaDescription)] {
            guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw .invalidInput("radio \(name) is empty")
            }
        }
        self.broadcast = broadcast
        self.timeZone = timeZone
    }

    public var xml: String {
        let b = broadcast
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<alert xmlns=\"\(Self.namespace)\">",
            element("identifier", b.identifier, 1),
            element("sender", b.sender, 1),
            element("sent", Self.capTime(b.sent, in: timeZone), 1),
            element("status", b.isDrill ? "Exercise" : "Actual", 1),
            element("msgType", msgType, 1),
            element("scope", "Public", 1),
        ]
        if let note = b.drillNote { lines.append(element("note", note, 1)) }
        if !b.references.isEmpty {
            let references = b.references.map { "\($0.sender),\($0.identifier),\(Self.capTime($0.sent, in: timeZone))" }
            lines.append(element("references", references.joined(separator: " "), 1))
        }
        lines.append(element("incidents", b.incident, 1))
        lines.append("  <info>")
        lines.append(element("language", b.language, 2))
        lines.append(element("category", "Rescue", 2))
        lines.append(element("event", b.event, 2))
        let isOver = b.kind == .allClear || b.kind == .cancel
        if let responseType { lines.append(element("responseType", responseType, 2)) }
        // Looking for a person: act now, moderate threat, observed (someone is missing). An
        // all-clear or a cancel is about the past.
        lines.append(element("urgency", isOver ? "Past" : "Immediate", 2))
        lines.append(element("severity", isOver ? "Minor" : "Moderate", 2))
        lines.append(element("certainty", "Observed", 2))
        lines.append(element("expires", Self.capTime(b.expires, in: timeZone), 2))
        if let senderName = b.senderName { lines.append(element("senderName", senderName, 2)) }
        lines.append(element("headline", b.headline, 2))
        lines.append(element("description", b.script, 2))
        if let contact = b.contact { lines.append(element("contact", contact, 2)) }
        lines.append("    <area>")
        lines.append(element("areaDesc", b.areaDescription, 3))
        lines.append("    </area>")
        lines.append("  </info>")
        lines.append("</alert>")
        return lines.joined(separator: "\n") + "\n"
    }

    private var msgType: String {
        switch broadcast.kind {
        case .alert: "Alert"
        case .update, .allClear: "Update"
        case .cancel: "Cancel"
        }
    }

    /// An all-clear says the search is over; a cancel (a message sent in error) asks nothing.
    private var responseType: String? {
        switch broadcast.kind {
        case .alert, .update: nil
        case .allClear: "AllClear"
        case .cancel: "None"
        }
    }

    private func element(_ name: String, _ value: String, _ depth: Int) -> String {
        String(repeating: "  ", count: depth) + "<\(name)>\(Self.escape(value))</\(name)>"
    }

    /// XML text escaping; characters XML 1.0 forbids (C0 controls but tab, LF, CR) are dropped,
    /// CR is kept as a reference so that parsers do not fold it into LF.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// CAP dateTime: `2026-11-27T15:35:00+09:00` — an explicit offset, never `Z` (CAP 1.2 3.3.2).
    static func capTime(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String {
            let n = n ?? 0
            return n < 10 ? "0\(n)" : "\(n)"
        }
        let offset = zone.secondsFromGMT(for: date) / 60
        // UTC is written -00:00 as CAP's examples do; +00:00 would be equally valid.
        let sign = offset < 0 || offset == 0 ? "-" : "+"
        let year = String(c.year ?? 1970)
        return "\(year)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
            + "\(sign)\(two(abs(offset) / 60)):\(two(abs(offset) % 60))"
    }
}
