import Foundation
import Timing

/// What became of a FAX on the line, as the provider's status report or HylaFAX's `faxstat`
/// tells it: the FAX service having accepted the job says nothing yet of the institution's
/// machine having printed it.
public enum FaxLineOutcome: String, Sendable, Hashable, CaseIterable {
    /// Every page went through.
    case transmitted
    /// The number was engaged (話し中).
    case busy
    /// Nobody picked up: the machine is off, out of paper, or the line rings unanswered.
    case noAnswer = "no-answer"
    /// The service gave up on the number for good (not a FAX, a dead number, a broken transfer
    /// it will not redial).
    case failed

    /// Whether dialling again later can help.
    public var isLineEngaged: Bool { self == .busy || self == .noAnswer }
}

/// How the FAX line is used: a number that is engaged or does not answer is dialled again
/// minutes later, not seconds (an institution's machine is busy printing, or its staff are on
/// the phone), and FAXes to one number go one after another (two notices to one institution,
/// or two institutions sharing a machine, dialled at once would make the second find the line
/// engaged). Pure: the caller gives the times.
public struct FaxLineSpacing: Hashable, Sendable {
    /// Waits before the first, second, … redial of an engaged or unanswered number (`fax.busy-retry`);
    /// once they are spent the FAX has failed and the operator is told.
    public var redials: [Duration]
    /// The least time between two FAXes to one number, start to start (`fax.number-gap`): about
    /// the time one notice of a page or two takes on the line.
    public var gap: Duration

    public static let defaultRedials: [Duration] = [.seconds(180), .seconds(300), .seconds(600)]
    public static let defaultGap: Duration = .seconds(180)

    public init(redials: [Duration] = Self.defaultRedials, gap: Duration = Self.defaultGap) {
        self.redials = redials
        self.gap = max(gap, .zero)
    }

    public static let `default` = FaxLineSpacing()

    /// `fax.busy-retry` and `fax.number-gap` of mimamori.yaml.
    public init(_ settings: Configuration.Fax) {
        self.init(redials: settings.busyRetry, gap: settings.numberGap)
    }

    /// What to do when a number was engaged or did not answer.
    public enum Redial: Hashable, Sendable {
        /// Dial again at this instant.
        case at(Date)
        /// The redials are spent, or the next would fall past the deadline: the FAX failed.
        case giveUp
    }

    /// After the line was engaged or unanswered on try number `tries` (1: the first dialling)
    /// at `now`: the next dialling, `redials[tries - 1]` later and clear of every other FAX
    /// booked on that number (`booked`), or giving up.
    public func redial(afterTry tries: Int, now: Date, deadline: Date, booked: [Date]) -> Redial {
        guard tries >= 1, tries <= redials.count else { return .giveUp }
        let next = slot(from: now.addingTimeInterval(redials[tries - 1].inSeconds), booked: booked)
        return next > deadline ? .giveUp : .at(next)
    }

    /// A FAX handed over after this instant still holds its number at `now`.
    public func lineHeld(at now: Date) -> Date { now.addingTimeInterval(-gap.inSeconds) }

    /// The first instant from `earliest` at least `gap` away from every time in `booked`.
    public func slot(from earliest: Date, booked: [Date]) -> Date {
        let gap = gap.inSeconds
        guard gap > 0 else { return earliest }
        var candidate = earliest
        for time in booked.sorted() {
            if time.addingTimeInterval(gap) <= candidate { continue }
            if candidate.addingTimeInterval(gap) <= time { break }
            candidate = time.addingTimeInterval(gap)
        }
        return candidate
    }

    /// One FAX waiting for its number.
    public struct Waiting: Hashable, Sendable {
        public var id: Int64
        /// The number as stored (E.164): equal numbers are one line.
        public var number: String
        public var due: Date

        public init(id: Int64, number: String, due: Date) {
            self.id = id
            self.number = number
            self.due = due
        }
    }

    /// When each waiting FAX may be dialled: the oldest due first on each number, each later one
    /// at least `gap` after the one before it and after what is already booked on the number
    /// (`booked`: FAXes in flight or handed over lately). Only FAXes that must wait are in the
    /// answer, with their new time.
    public func spread(_ waiting: [Waiting], booked: [String: [Date]]) -> [Int64: Date] {
        var taken = booked
        var moved: [Int64: Date] = [:]
        for fax in waiting.sorted(by: { ($0.due, $0.id) < ($1.due, $1.id) }) {
            let time = slot(from: fax.due, booked: taken[fax.number] ?? [])
            if time > fax.due { moved[fax.id] = time }
            taken[fax.number, default: []].append(time)
        }
        return moved
    }
}
