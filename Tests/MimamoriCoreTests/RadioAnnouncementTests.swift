import Foundation
import Testing

@testable import MimamoriCore

/// What the radio's CAP says a notice is, and until when: the order public alert aggregators
/// prefer (an expiry on every message, then an all-clear update, a cancel only for an error).
@Suite struct RadioAnnouncementTests {
    static let sent = Date(timeIntervalSince1970: 1_795_761_300)

    @Test func alertsAndUpdatesStandForTheSettingFromTheirOwnSending() {
        let alert = radioAnnouncement(.alert, sent: Self.sent, validity: .seconds(24 * 3600))
        #expect(alert == RadioAnnouncement(kind: .alert, expires: Self.sent.addingTimeInterval(24 * 3600)))
        let later = Self.sent.addingTimeInterval(5 * 3600)
        let update = radioAnnouncement(.update, sent: later, validity: .seconds(24 * 3600))
        #expect(update == RadioAnnouncement(kind: .update, expires: later.addingTimeInterval(24 * 3600)), "an update renews it")
    }

    @Test func theEndOfASearchIsAnAllClearThatExpiresSoon() {
        let end = radioAnnouncement(.termination, sent: Self.sent, validity: .seconds(24 * 3600))
        #expect(end.kind == .allClear)
        #expect(RadioAnnouncement.allClearValidity == .seconds(3600))
        #expect(end.expires == Self.sent.addingTimeInterval(3600))
        // Never later than an alert would stand.
        #expect(radioAnnouncement(.termination, sent: Self.sent, validity: .seconds(600)).expires == Self.sent.addingTimeInterval(600))
        // No notice kind is a message sent in error: nothing becomes a CAP Cancel.
        for kind in NoticeKind.allCases {
            let announcement = radioAnnouncement(kind, sent: Self.sent, validity: .seconds(3600))
            #expect(announcement.expires > Self.sent)
            #expect([.alert, .update, .allClear].contains(announcement.kind))
        }
    }
}
