import Foundation
import HostileCorpus
import MimamoriCore
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A family's photo as their phone made it, through the real daemon: the EXIF GPS of the home
/// and the text chunks reach no volunteer, no FAX page and not the ledger; a sideways photo
/// arrives upright.
@Suite("photo metadata stays at the intake (real mimamorid, broker, SMTP, FAX mail gateway)", .serialized)
struct DaemonPhotoMetadataTests {
    @Test(
        "a JPEG with EXIF GPS and a comment, a PNG with tEXt/iTXt/tIME/eXIf, an orientation-6 JPEG: attached and embedded, upright, no byte of their metadata in the events and notices tables, the mails' attachments or the FAX PDF"
    )
    func metadataNeverLeavesTheIntake() async throws {
        let plainPNG = [UInt8](try #require(Data(base64Encoded: DaemonCase.samplePhoto)))
        let photos: [(label: String, mediaType: String, bytes: [UInt8], width: Int?)] = [
            ("JPEG with EXIF GPS", "image/jpeg", try PhotoMetadataSamples.jpeg(), 300),
            ("PNG with text chunks", "image/png", PhotoMetadataSamples.png(plainPNG), nil),
            ("JPEG with orientation 6", "image/jpeg", try PhotoMetadataSamples.jpeg(orientation: 6), 400),
        ]
        for photo in photos {
            #expect(!PhotoLeakCheck.leaks(in: photo.bytes).isEmpty, "\(photo.label): the sample carries metadata")
        }
        let cooperators = DaemonFolder.cooperators(email: 2, fax: 1)
        try await withDaemonRig(cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            var seen = 0
            for photo in photos {
                let sample = DaemonCase(municipality: rig.folder.municipality)
                var event = sample.event("opened", sequence: 1, photo: true)
                event["photo"] = ["mediaType": photo.mediaType, "data": Data(photo.bytes).base64EncodedString()]
                try await rig.publisher.publish(event)
                try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
                #expect(try await rig.states(sample.caseID) == ["alert/delivered": cooperators.count], "\(photo.label)")

                // The ledger: the stored event keeps the (cleaned) photo, the notices too.
                let bodies = try rig.sql("SELECT hex(body) FROM events WHERE case_id = '\(sample.caseID)'")
                #expect(bodies.count == 1)
                for body in bodies.map(PhotoLeakCheck.unhex) {
                    #expect(PhotoLeakCheck.leaks(in: body).isEmpty, "\(photo.label): \(PhotoLeakCheck.leaks(in: body)) in the stored event")
                    let stored = try CaseEvent.decode(body)
                    #expect(stored.photo?.mediaType.rawValue == photo.mediaType, "\(photo.label): the stored event lost its photo")
                }
                let notices = try rig.sql("SELECT hex(content) FROM notices WHERE case_id = '\(sample.caseID)'")
                #expect(notices.count >= 2, "email and fax notices")
                for content in notices.map(PhotoLeakCheck.unhex) {
                    #expect(
                        PhotoLeakCheck.leaks(in: content).isEmpty, "\(photo.label): \(PhotoLeakCheck.leaks(in: content)) in a stored notice"
                    )
                }

                // What the volunteers and the FAX gateway received.
                let mail = try rig.smtp.received()
                let received = Array(mail[seen...]).filter { !$0.rcpt_tos.contains("ops@town.example.jp") }
                seen = mail.count
                #expect(received.count == cooperators.count, "\(photo.label): \(received.count) notices")
                for message in received {
                    let attachments = try PhotoLeakCheck.attachments(of: message.raw)
                    let isFax = message.rcpt_tos.allSatisfy { $0.hasSuffix("@fax.example.jp") }
                    let wanted = isFax ? "application/pdf" : photo.mediaType
                    let attached = attachments.filter { $0.contentType == wanted }
                    #expect(attached.count == 1, "\(photo.label): \(attachments.map(\.contentType)) to \(message.rcpt_tos)")
                    for attachment in attachments {
                        let leaks = PhotoLeakCheck.markers(in: attachment.bytes)
                        #expect(leaks.isEmpty, "\(photo.label): \(leaks) in the \(attachment.contentType) to \(message.rcpt_tos)")
                    }
                    guard let picture = attached.first, let width = photo.width else { continue }
                    let jpeg = isFax ? try #require(Self.embeddedJPEG(picture.bytes), "no JPEG in the FAX PDF") : picture.bytes
                    let size = try PhotoCheck.check(CaseEvent.Photo(mediaType: .jpeg, data: Data(jpeg))).get()
                    #expect(size.width == width, "\(photo.label): \(size) in the \(wanted) to \(message.rcpt_tos)")
                    #expect(PhotoClean.jpegOrientation(Data(jpeg)) == 1)
                }
            }
            #expect(daemon.lines(event: "photo.left-out").isEmpty, "\(daemon.lines(event: "photo.left-out"))")
            #expect(daemon.lines(event: "photo.not-upright").isEmpty)
            #expect(daemon.lines(event: "delivery.failed").isEmpty, "\(daemon.lines(event: "delivery.failed"))")
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    /// The JPEG cairo embeds unchanged in a PDF (a DCTDecode stream): SOI to EOI.
    static func embeddedJPEG(_ pdf: [UInt8]) -> [UInt8]? {
        var i = 0
        while i + 3 < pdf.count {
            if pdf[i] == 0xFF, pdf[i + 1] == 0xD8, pdf[i + 2] == 0xFF {
                var j = i + 2
                while j + 1 < pdf.count {
                    if pdf[j] == 0xFF, pdf[j + 1] == 0xD9 { return Array(pdf[i...(j + 1)]) }
                    j += 1
                }
                return nil
            }
            i += 1
        }
        return nil
    }
}
