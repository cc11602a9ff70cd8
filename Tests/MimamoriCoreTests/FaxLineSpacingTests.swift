import Foundation
import MimamoriCore
import Testing

@Suite("FAX line spacing: an engaged number is dialled again minutes later, FAXes to one number one after another")
struct FaxLineSpacingTests {
    /// The manual clock: every instant is `start` plus whole seconds.
    static let start = Date(timeIntervalSince1970: 1_795_000_000)
    static func at(_ seconds: Int) -> Date { start.addingTimeInterval(TimeInterval(seconds)) }
    static let minute = 60
    static let spacing = FaxLineSpacing()
    static let farDeadline = at(6 * 3600)

    @Test("redials wait 3, 5 and 10 minutes by default, then give up")
    func redialSchedule() {
        let s = Self.spacing
        #expect(s.redials == [.seconds(180), .seconds(300), .seconds(600)])
        #expect(s.redial(afterTry: 1, now: Self.at(0), deadline: Self.farDeadline, booked: []) == .at(Self.at(3 * Self.minute)))
        #expect(s.redial(afterTry: 2, now: Self.at(100), deadline: Self.farDeadline, booked: []) == .at(Self.at(100 + 5 * Self.minute)))
        #expect(s.redial(afterTry: 3, now: Self.at(100), deadline: Self.farDeadline, booked: []) == .at(Self.at(100 + 10 * Self.minute)))
        #expect(s.redial(afterTry: 4, now: Self.at(100), deadline: Self.farDeadline, booked: []) == .giveUp)
        #expect(s.redial(afterTry: 0, now: Self.at(100), deadline: Self.farDeadline, booked: []) == .giveUp)
    }

    @Test("never seconds apart: each redial is at least a minute after the engaged line", arguments: 1...3)
    func minutesNotSeconds(_ tries: Int) {
        guard case .at(let next) = Self.spacing.redial(afterTry: tries, now: Self.at(0), deadline: Self.farDeadline, booked: [])
        else {
            Issue.record("gave up at try \(tries)")
            return
        }
        #expect(next.timeIntervalSince(Self.at(0)) >= 60)
    }

    @Test("a redial that would fall past the deadline gives up; one on the deadline still goes")
    func deadline() {
        #expect(Self.spacing.redial(afterTry: 1, now: Self.at(0), deadline: Self.at(179), booked: []) == .giveUp)
        #expect(Self.spacing.redial(afterTry: 1, now: Self.at(0), deadline: Self.at(180), booked: []) == .at(Self.at(180)))
    }

    @Test("no redials configured: the first engaged line fails")
    func noRedials() {
        let s = FaxLineSpacing(redials: [], gap: .seconds(180))
        #expect(s.redial(afterTry: 1, now: Self.at(0), deadline: Self.farDeadline, booked: []) == .giveUp)
    }

    @Test("a redial keeps clear of another FAX booked on the number")
    func redialAvoidsBooked() {
        // Another FAX to the same number is planned at 3:30: the redial due at 3:00 waits until 6:30.
        let next = Self.spacing.redial(afterTry: 1, now: Self.at(0), deadline: Self.farDeadline, booked: [Self.at(210)])
        #expect(next == .at(Self.at(210 + 180)))
    }

    @Test("the slot: free, just clear, and pushed along a chain of bookings")
    func slot() {
        let s = Self.spacing
        #expect(s.slot(from: Self.at(0), booked: []) == Self.at(0))
        #expect(s.slot(from: Self.at(0), booked: [Self.at(-180)]) == Self.at(0))
        #expect(s.slot(from: Self.at(0), booked: [Self.at(180)]) == Self.at(0))
        #expect(s.slot(from: Self.at(0), booked: [Self.at(-179)]) == Self.at(1))
        #expect(s.slot(from: Self.at(0), booked: [Self.at(179)]) == Self.at(359))
        // Unordered bookings: 0, 3:00 and 6:00 are taken, the first free slot is 9:00.
        #expect(s.slot(from: Self.at(0), booked: [Self.at(360), Self.at(0), Self.at(180)]) == Self.at(540))
        // A gap between bookings wide enough for one FAX is used.
        #expect(s.slot(from: Self.at(0), booked: [Self.at(0), Self.at(600)]) == Self.at(180))
        #expect(FaxLineSpacing(gap: .zero).slot(from: Self.at(0), booked: [Self.at(0)]) == Self.at(0))
    }

    @Test("two notices to one institution, or two institutions sharing a number, are not sent at once")
    func spreadOneNumber() {
        let waiting = [
            FaxLineSpacing.Waiting(id: 2, number: "+81736001001", due: Self.at(0)),
            FaxLineSpacing.Waiting(id: 1, number: "+81736001001", due: Self.at(0)),
            FaxLineSpacing.Waiting(id: 3, number: "+81736001002", due: Self.at(0)),
            FaxLineSpacing.Waiting(id: 4, number: "+81736001001", due: Self.at(30)),
        ]
        let moved = Self.spacing.spread(waiting, booked: [:])
        // The oldest (then the lowest id) goes first; another number is not held up.
        #expect(moved == [2: Self.at(180), 4: Self.at(360)])
    }

    @Test("a FAX in flight on the number holds the next one back")
    func spreadAfterBooked() {
        let waiting = [FaxLineSpacing.Waiting(id: 7, number: "+81736001001", due: Self.at(0))]
        #expect(Self.spacing.spread(waiting, booked: ["+81736001001": [Self.at(-60)]]) == [7: Self.at(120)])
        #expect(Self.spacing.spread(waiting, booked: ["+81736001002": [Self.at(-60)]]).isEmpty)
    }

    /// Every arrangement of up to five FAXes over two numbers and a few due times: after the
    /// spread, no two FAXes to one number are closer than the gap, none goes before it was due,
    /// and none waits longer than the FAXes ahead of it on its number make necessary.
    @Test("exhaustively: the gap always holds, nobody goes early, nobody waits for nothing")
    func spreadExhaustive() {
        let numbers = ["+81736001001", "+81736001002"]
        let dues = [0, 60, 200]
        let gap = 180.0
        var checked = 0
        for count in 1...5 {
            let choices = numbers.count * dues.count
            var combination = Array(repeating: 0, count: count)
            while true {
                let waiting = combination.enumerated().map { index, choice in
                    FaxLineSpacing.Waiting(
                        id: Int64(index), number: numbers[choice / dues.count], due: Self.at(dues[choice % dues.count]))
                }
                for booked in [[:], [numbers[0]: [Self.at(-100)]]] as [[String: [Date]]] {
                    let moved = Self.spacing.spread(waiting, booked: booked)
                    let times = waiting.map { (fax: $0, time: moved[$0.id] ?? $0.due) }
                    for entry in times {
                        #expect(entry.time >= entry.fax.due)
                        let others =
                            times.filter { $0.fax.id != entry.fax.id && $0.fax.number == entry.fax.number }.map(\.time)
                            + (booked[entry.fax.number] ?? [])
                        for other in others { #expect(abs(other.timeIntervalSince(entry.time)) >= gap) }
                        if let time = moved[entry.fax.id] {
                            // Moved only as far as the slot just after something on its number.
                            #expect(time > entry.fax.due)
                            #expect(others.contains { abs(time.timeIntervalSince($0) - gap) < 0.001 })
                        }
                    }
                    checked += 1
                }
                var position = count - 1
                while position >= 0 && combination[position] == choices - 1 {
                    combination[position] = 0
                    position -= 1
                }
                if position < 0 { break }
                combination[position] += 1
            }
        }
        #expect(checked == 2 * (6 + 36 + 216 + 1296 + 7776))
    }

    @Test("settings: fax.busy-retry and fax.number-gap, with sane defaults and named mistakes")
    func settings() throws {
        let base = RegistrySettingsTests.base
        let plain = try Configuration.parse(yaml: base)
        #expect(FaxLineSpacing(plain.fax) == FaxLineSpacing())
        let set = try Configuration.parse(
            yaml: base + "fax: { gateway: \"{number}@fax.example.jp\", busy-retry: [2m, 4m], number-gap: 90s }\n")
        #expect(FaxLineSpacing(set.fax) == FaxLineSpacing(redials: [.seconds(120), .seconds(240)], gap: .seconds(90)))
        let off = try Configuration.parse(yaml: base + "fax: { gateway: \"{number}@fax.example.jp\", number-gap: 0s }\n")
        #expect(off.fax.numberGap == .zero, "0s turns the spacing off")
        for (yaml, path) in [
            ("busy-retry: [10s]", "fax.busy-retry[0]"), ("busy-retry: 3m", "fax.busy-retry"),
            ("busy-retry: [3m, 4h]", "fax.busy-retry[1]"), ("number-gap: 2h", "fax.number-gap"),
            ("number-gap: soon", "fax.number-gap"), ("number-gap: -1s", "fax.number-gap"),
        ] {
            do {
                _ = try Configuration.parse(yaml: base + "fax: { gateway: \"{number}@fax.example.jp\", \(yaml) }\n")
                Issue.record("accepted \(yaml)")
            } catch {
                #expect(error.problems.contains { $0.path == path }, "\(yaml): \(error.problems)")
            }
        }
    }
}
