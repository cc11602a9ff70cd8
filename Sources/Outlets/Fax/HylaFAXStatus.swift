import Foundation

/// One job as `faxstat -s -d` lists it (the send and the done queue) in HylaFAX's default job
/// format `%-4j %3i %1a %6.6o %-12.12e %5P %5D %7z %.25s`: job id, priority, state, owner,
/// number, pages sent:total, dials made:allowed, time to send (blank once done), and the status
/// of the last failure, cut at 25 characters.
///
///     JID  Pri S  Owner Number       Pages Dials     TTS Status
///     118  127 D mimamo 0734899960     1:1   1:12
///     119  127 S mimamo 0734899961     0:1   2:12   10:41 Busy signal detected
///
/// Only the job id, the state, the counts and the status are read; the number is not kept.
public struct HylaFAXJobStatus: Sendable, Hashable {
    /// The one-letter job state (`%a`).
    public enum State: Character, Sendable, Hashable {
        /// Suspended, not being scheduled.
        case suspended = "T"
        /// Waiting for its time to send.
        case pending = "P"
        /// Waiting for a timeout: after an engaged or unanswered line, HylaFAX dials again by itself.
        case sleeping = "S"
        /// Held back by another job to the same number.
        case blocked = "B"
        /// Waiting for a free modem.
        case waiting = "W"
        /// On the line now.
        case running = "R"
        /// Sent: every page went through.
        case done = "D"
        /// Given up: HylaFAX will not dial again.
        case failed = "F"
        case undefined = "?"
    }

    /// What came of the job, once HylaFAX is finished with it.
    public enum Outcome: String, Sendable, Hashable {
        case transmitted
        case busy
        case noAnswer = "no-answer"
        case failed
    }

    public var job: String
    public var state: State
    public var pagesSent: Int
    public var pagesTotal: Int
    public var dials: Int
    /// The last failure as HylaFAX words it (`Busy signal detected`, `No answer from remote`),
    /// empty when none.
    public var status: String

    /// Nil while HylaFAX still holds the job (it dials an engaged number again on its own).
    public var outcome: Outcome? {
        switch state {
        case .done: return .transmitted
        case .failed:
            let words = status.lowercased()
            if words.contains("busy") { return .busy }
            if words.contains("no answer") || words.contains("no carrier") { return .noAnswer }
            return .failed
        case .suspended, .pending, .sleeping, .blocked, .waiting, .running, .undefined: return nil
        }
    }

    /// The jobs of a `faxstat -s -d` listing; the server and modem lines, the headings and any
    /// line not in the job format are passed over.
    public static func parse(_ output: String) -> [HylaFAXJobStatus] {
        output.split(whereSeparator: \.isNewline).compactMap { line(String($0)) }
    }

    static func line(_ text: String) -> HylaFAXJobStatus? {
        let pattern = /^\s*(\d{1,10})\s+(\d{1,3})\s+([TPSBWRDF?])\s+(\S+)\s+(\S+)\s+(\d+)[:\/](\d+)\s+(\d+)[:\/](\d+)(.*)$/
        guard let match = text.wholeMatch(of: pattern), let state = State(rawValue: Character(String(match.3))),
            let sent = Int(match.6), let total = Int(match.7), let dials = Int(match.8)
        else { return nil }
        // The time to send (`10:41`, blank once done) comes before the status, which never
        // starts with a digit.
        var rest = Substring(match.10).drop(while: \.isWhitespace)
        if let time = rest.prefixMatch(of: /\d{1,2}:\d{2}(:\d{2})?([AaPp][Mm])?(\s+|$)/) {
            rest = rest[time.range.upperBound...]
        }
        return HylaFAXJobStatus(
            job: String(match.1), state: state, pagesSent: sent, pagesTotal: total, dials: dials,
            status: rest.trimmingCharacters(in: .whitespaces))
    }
}
