import Foundation
import Ledger
import MimamoriCore
import MimamoriService
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A person the family registered goes missing: the police's event names the registration, and
/// what the police left out comes from it. Real daemon, broker, SMTP server (the FAX through the
/// email gateway), radio into a spool. What the family gave for the police and a care home
/// (family, registrant, care notes, address, phone, date of birth) reaches nobody and no line.
@Suite("mimamorid with a registration (real binary, broker, SMTP)", .serialized)
struct DaemonRegistryMergeTests {
    static let options: DaemonFolder.Options = {
        var options = DaemonFolder.Options(areas: "{ 見守町: [試験台, 試験町, 北地区, 南地区] }", registry: "{}")
        options.radioSpool = true
        return options
    }()

    /// The registration's words: those the notices may carry, and those no notice may.
    enum Registered {
        static let hair = "ごま塩の坊主頭"
        static let features = ["右手首に銀の腕時計", "早足で歩く"]
        static let places = [Registration.Place(name: "試験ストアー北店", area: "北地区"), Registration.Place(name: "試験寺の境内")]
        static let placesRow = "試験ストアー北店（北地区）、試験寺の境内"
        static let family = "登録 家族太郎"
        static let familyPhone = "090-9876-5432"
        static let registrant = "登録 届出花子"
        static let registrantPhone = "080-1234-5678"
        static let careNote = "左耳が聞こえにくい"
        static let careLevel = "要介護３"
        static let address = "見守町試験台１丁目２番３号"
        static let phone = "073-555-8888"

        /// Never in a notice, a log line or the ledger's event.
        static let private_ = [
            family, "家族太郎", familyPhone, "09098765432", registrant, "届出花子", registrantPhone, "08012345678", careNote,
            careLevel, address, phone, "0735558888", "1941-05-03", "昭和16",
        ]
        /// What the notices carry from the registration: never in a log line or the ledger's event.
        static let forNotices = [hair] + features + places.map(\.name)
    }

    static func registration(id: String) -> Registration {
        Registration(
            id: RegistrationID(id),
            person: .init(
                name: DaemonCase.Person.name, nameKana: DaemonCase.Person.kana, sex: .female, dateOfBirth: LocalDate(1941, 5, 3),
                heightCm: 150, build: "中肉", hair: Registered.hair, features: Registered.features, residenceArea: "試験台"),
            address: Registered.address, phone: Registered.phone,
            photo: .init(mediaType: .png, data: Data(base64Encoded: DaemonCase.samplePhoto)!, consentForNotices: true),
            frequentedPlaces: Registered.places, careNotes: [Registered.careNote], careLevel: Registered.careLevel,
            familyContacts: [.init(name: Registered.family, relation: "長男", phone: Registered.familyPhone)],
            registrant: .init(name: Registered.registrant, relation: "長女", phone: Registered.registrantPhone),
            registeredOn: LocalDate(2026, 4, 1))
    }

    /// Put into the ledger before the daemon starts, as staff would with `mimamori registry add`.
    static func register(_ registration: Registration, in folder: DaemonFolder) async throws -> Registry {
        let registry = Registry(
            store: try Ledger(path: folder.ledgerPath), keys: try RegistryKeyStore(path: folder.registryKeysPath),
            vault: try RegistryVault(credential: DaemonFolder.registryKey))
        try await registry.add(registration, by: "test", at: Date())
        return registry
    }

    /// The directory: the person's home area, the area of a frequented place, another area, and
    /// a FAX of each kind.
    static func directory(_ m: String) -> String {
        """
        id,name,channel,address,areas,municipality,active
        vol-home,試験台の協力者,email,home@volunteers.example.jp,試験台,\(m),yes
        vol-north,北地区の協力者,email,north@volunteers.example.jp,北地区,\(m),yes
        vol-south,南地区の協力者,email,south@volunteers.example.jp,南地区,\(m),yes
        fax-north,北地区の商店,fax,073-555-3001,北地区,\(m),yes
        fax-all,町の介護施設,fax,073-555-3002,,\(m),yes

        """
    }

    /// The police's event, naming the registration and leaving out the hair and the features.
    static func event(_ c: DaemonCase, registrationID: String) -> [String: Any] {
        var event = c.event("opened", sequence: 1)
        var person = event["person"] as! [String: Any]
        person["registrationId"] = registrationID
        person["hair"] = nil
        person["features"] = nil
        event["person"] = person
        event["consent"] = ["cooperators": true, "radio": true, "photo": true, "partnerTowns": false]
        return event
    }

    @Test(
        "the event names a registration: the email and the FAX show the frequented places and the filled features, a place's area widens who is asked, the radio says no place, nothing private anywhere, one merged line and audit row"
    )
    func aRegisteredPersonsAlertCarriesTheRegistration() async throws {
        try await withDaemonRig(options: Self.options, cooperators: []) { rig in
            let m = rig.folder.municipality
            try rig.folder.writeCooperatorsFile(Self.directory(m))
            let registry = try await Self.register(Self.registration(id: "R2026-0007"), in: rig.folder)
            let c = DaemonCase(municipality: m)
            let event = Self.event(c, registrationID: "R2026-0007")
            let file = rig.folder.directory.appendingPathComponent("case.json")
            try Data(try DaemonCase.json(event)).write(to: file)
            let keyOption = ["--registry-key", rig.folder.registryKeyPath]

            // What staff see first, as the daemon will plan it.
            let plan = try runProcess(
                try DaemonProcess.binary("mimamori"), ["plan", file.path, "--config", rig.folder.settingsPath] + keyOption)
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(plan.stdout.contains("よく行く場所の地域（登録から）: 北地区 → 見守町 › 北地区"), "\(plan.stdout)")
            #expect(plan.stdout.contains("送信する: 4 件"), "\(plan.stdout)")
            #expect(plan.stdout.contains("vol-south\tメール\t地域が該当しない"), "\(plan.stdout)")
            #expect(plan.stdout.contains("事案にない項目（髪・特徴・写真）を登録から補います"), "\(plan.stdout)")
            #expect(plan.stdout.contains("写真: 添付します"), "\(plan.stdout)")
            let out = rig.folder.directory.appendingPathComponent("rendered")
            let render = try runProcess(
                try DaemonProcess.binary("mimamori"),
                ["render", file.path, "--out", out.path, "--config", rig.folder.settingsPath] + keyOption)
            #expect(render.status == 0, "\(render.stderr)")
            #expect(render.stderr.contains("登録 R2026-0007 の情報を使います"), "\(render.stderr)")
            let renderedMail = try String(contentsOf: out.appendingPathComponent("alert.email.txt"), encoding: .utf8)
            #expect(renderedMail.contains("よく行く場所　\(Registered.placesRow)"), "\(renderedMail)")
            let renderedRadio = try String(contentsOf: out.appendingPathComponent("alert.radio.txt"), encoding: .utf8)
            #expect(!renderedRadio.contains("試験ストアー") && renderedRadio.contains(Registered.hair), "\(renderedRadio)")

            let daemon = try await rig.startConsuming()
            try await rig.publisher.publish(event)
            let opened = try await daemon.waitForLine(event: "case.opened", containing: ["case=\(c.caseID)"])
            #expect(logField("asked", of: opened) == "4" && logField("skipped_area", of: opened) == "1", "\(opened)")
            let merged = try await daemon.waitForLine(event: "registry.merged", containing: ["case=\(c.caseID)"])
            #expect(logField("registration", of: merged) == "R2026-0007", "\(merged)")
            #expect(logField("places", of: merged) == "2" && logField("filled", of: merged) == "3", "\(merged)")
            #expect(logField("photo", of: merged) == "yes", "\(merged)")
            try await rig.waitUntilSettled(c.caseID, kinds: ["alert"], daemon: daemon)
            try await rig.waitForMail(4, daemon: daemon)

            let received = try rig.smtp.received()
            #expect(
                Set(received.flatMap(\.rcpt_tos)) == [
                    "home@volunteers.example.jp", "north@volunteers.example.jp", "0735553001@fax.example.jp", "0735553002@fax.example.jp",
                ])
            var everything = ""
            for message in received {
                let decoded = try #require(message.decoded)
                if message.rcpt_tos.allSatisfy({ $0.hasSuffix("@fax.example.jp") }) {
                    let page = try DaemonPhotoTests.pdfText(of: message.raw)
                    #expect(page.contains("よく行く場所" + Registered.placesRow.filter { !$0.isWhitespace }), "\(page)")
                    #expect(page.contains(Registered.features.joined(separator: "、")), "\(page)")
                    #expect(page.contains("ご家族の同意を得て、ご本人の写真を載せています。"), "\(page)")
                    everything += page
                } else {
                    let body = decoded.body ?? ""
                    let lines = body.split(whereSeparator: \.isNewline)
                    #expect(lines.contains("　よく行く場所　\(Registered.placesRow)"), "\(body)")
                    #expect(body.contains("　特徴　　　　\(Registered.features.joined(separator: "、"))"), "\(body)")
                    #expect(body.contains("　髪　　　　　\(Registered.hair)"), "\(body)")
                    #expect(decoded.attachments.contains { $0.content_type == "image/png" }, "the registered photo is not attached")
                    everything += decoded.subject + body
                }
                everything += String(decoding: message.raw, as: UTF8.self)
            }
            let spool = try FileManager.default.contentsOfDirectory(atPath: rig.folder.radioDirectory.path)
            let scripts = try spool.filter { $0.hasSuffix(".txt") || $0.hasSuffix(".xml") }.map {
                try String(contentsOf: rig.folder.radioDirectory.appendingPathComponent($0), encoding: .utf8)
            }
            #expect(!scripts.isEmpty, "nothing spooled for the radio: \(spool)")
            for script in scripts {
                for word in Registered.places.map(\.name) + ["試験寺", "よく行く"] { #expect(!script.contains(word), "the radio says \(word)") }
                everything += script
            }
            for word in Registered.private_ { #expect(!everything.contains(word), "a notice holds \(word)") }

            // The journal: ids and counts only.
            let journal = daemon.lines.joined(separator: "\n") + ((try? String(contentsOfFile: daemon.stderrPath, encoding: .utf8)) ?? "")
            for word in Registered.private_ + Registered.forNotices + DaemonCase.Person.all {
                #expect(!journal.contains(word), "the journal holds \(word)")
            }
            // The ledger keeps the police's own event; the registry names the case that used it.
            let bodies = try rig.sql("SELECT CAST(body AS TEXT) FROM events WHERE case_id = '\(c.caseID)'").joined()
            #expect(bodies.contains("R2026-0007") && bodies.contains(DaemonCase.Person.name))
            for word in Registered.private_ + Registered.forNotices { #expect(!bodies.contains(word), "the stored event holds \(word)") }
            let audit = try await registry.store.registryAudit(RegistrationID("R2026-0007")).filter { $0.action == "merged" }
            #expect(audit.map(\.reason) == [c.caseID] && audit.map(\.by) == ["mimamorid"], "\(audit)")

            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test("a held alert that names a registration: released by the staff, it goes out completed from it, audited as the release's")
    func aReleasedAlertIsCompletedToo() async throws {
        try await withDaemonRig(options: Self.options, cooperators: []) { rig in
            let m = rig.folder.municipality
            try rig.folder.writeCooperatorsFile(Self.directory(m))
            let registry = try await Self.register(Self.registration(id: "R2026-0007"), in: rig.folder)
            let daemon = try await rig.startConsuming()
            let c = DaemonCase(municipality: m)
            var event = Self.event(c, registrationID: "R2026-0007")
            event["issuedAt"] = DaemonCase.timestamp(Date().addingTimeInterval(-2 * 86400))
            try await rig.publisher.publish(event)
            try await daemon.waitForLine(event: "case.held", containing: ["case=\(c.caseID)"])
            // Nothing sent, so nothing merged yet.
            #expect(daemon.lines(event: "registry.merged").isEmpty)
            #expect(try await registry.store.registryAudit(nil).allSatisfy { $0.action != "merged" })

            let released = try rig.cli(["release", c.caseID, "--registry-key", rig.folder.registryKeyPath])
            #expect(released.contains("の保留を解除しました") && released.contains("メール　　2 件"), "\(released)")
            #expect(released.contains("登録 R2026-0007 の情報を使います"), "\(released)")
            try await rig.waitUntilSettled(c.caseID, kinds: ["alert"], daemon: daemon)
            let notices = try rig.smtp.received().filter { $0.rcpt_tos.contains("north@volunteers.example.jp") }
            #expect(notices.count == 1, "the frequented place's area was not asked")
            let body = notices.first?.decoded?.body ?? ""
            #expect(body.split(whereSeparator: \.isNewline).contains("　よく行く場所　\(Registered.placesRow)"), "\(body)")
            for word in Registered.private_ { #expect(!body.contains(word)) }
            let audit = try await registry.store.registryAudit(RegistrationID("R2026-0007")).filter { $0.action == "merged" }
            #expect(audit.map(\.reason) == [c.caseID] && audit.map(\.by) == ["mimamori release"], "\(audit)")
        }
    }

    @Test("an id the registry does not have: the alert goes out with the event's own data, one registry.unknown-id line, no merge")
    func anUnknownRegistrationStillAlerts() async throws {
        try await withDaemonRig(options: Self.options, cooperators: []) { rig in
            let m = rig.folder.municipality
            try rig.folder.writeCooperatorsFile(Self.directory(m))
            let registry = try await Self.register(Self.registration(id: "R2026-0007"), in: rig.folder)
            let daemon = try await rig.startConsuming()
            let c = DaemonCase(municipality: m)
            try await rig.publisher.publish(Self.event(c, registrationID: "R2026-0999"))
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(c.caseID)"])
            try await rig.waitUntilSettled(c.caseID, kinds: ["alert"], daemon: daemon)
            // Only the event's areas: 北地区 is not asked without the registration.
            try await rig.waitForMail(2, daemon: daemon)
            let received = try rig.smtp.received()
            #expect(Set(received.flatMap(\.rcpt_tos)) == ["home@volunteers.example.jp", "0735553002@fax.example.jp"])
            for message in received {
                let fax = message.rcpt_tos.allSatisfy { $0.hasSuffix("@fax.example.jp") }
                let text = fax ? try DaemonPhotoTests.pdfText(of: message.raw) : message.decoded?.body ?? ""
                #expect(text.contains(DaemonCase.Person.build.filter { !$0.isWhitespace }), "the event's own data is missing: \(text)")
                #expect(!text.contains("よく行く場所") && !text.contains(Registered.hair), "\(text)")
            }
            let unknown = daemon.lines(event: "registry.unknown-id")
            #expect(unknown.count == 1 && logField("registration", of: unknown[0]) == "R2026-0999", "\(unknown)")
            #expect(daemon.lines(event: "registry.merged").isEmpty)
            #expect(try await registry.store.registryAudit(nil).allSatisfy { $0.action != "merged" })
        }
    }
}
