import Foundation
import Ledger
import MimamoriCore
import MimamoriService
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// 緊急一時保護 as the town meets it: a closure with `shelter` sends the facility the request
/// (第1号様式) as an A4 FAX through the real outlets (the email gateway to the test's SMTP server)
/// and the staff a copy; a stay of more than 2 days without approval waits for the staff while
/// every cooperator still hears of the end; the staff send, extend and end stays and request one
/// for a person with no case with the real CLI beside the running daemon. The facility never gets
/// a termination or the case's destruction reminder. No log line carries the person, the
/// registration, the body that protected them or the approving official.
@Suite("mimamorid emergency temporary care (real binary, broker, SMTP, CLI)", .serialized)
struct DaemonShelterTests {
    static let staff = "fukushi@town.example.jp"
    static let facilityFax = "0734895000@fax.example.jp"
    static let shelter = """
          facilities:
            - { id: yasuragi, name: 介護老人福祉施設やすらぎ園, fax: 073-489-5000, phone: 073-489-5001, address: 海草郡紀美野町下佐々1408番地7 }
          remind-at: "00:00"
        """

    static func options(registry: Bool = false) -> DaemonFolder.Options {
        var options = DaemonFolder.Options()
        options.staffEmails = [staff]
        options.shelter = shelter
        if registry { options.registry = "{}" }
        return options
    }

    /// What the registration holds beyond the case: none of it may reach a log line, nor a
    /// cooperator's notice; all of it the facility's request.
    enum Registered {
        static let address = "海草郡見守町試験台9番地"
        static let phone = "073-555-0177"
        static let family = "見守 長男太"
        static let familyPhone = "090-5555-0188"
        static let care = "右耳が聞こえにくい"
        static let police = "試験南警察署"
        static let official = "見守 町長代"
        static var all: [String] { [address, phone, "0735550177", family, familyPhone, "09055550188", care, police, official] }
    }

    static func registration() -> Registration {
        Registration(
            id: RegistrationID("R2026-0001"),
            person: .init(
                name: DaemonCase.Person.name, nameKana: DaemonCase.Person.kana, sex: .female, dateOfBirth: LocalDate(1942, 3, 3)),
            address: Registered.address, phone: Registered.phone, careNotes: [Registered.care], careLevel: "要介護2",
            familyContacts: [.init(name: Registered.family, relation: "長男", phone: Registered.familyPhone)],
            registrant: .init(name: Registered.family, phone: Registered.familyPhone), registeredOn: LocalDate(2026, 4, 1))
    }

    /// The closure event of `kase` with `shelter`, without a person (the police side may send none).
    static func closure(_ kase: DaemonCase, sequence: Int, shelter: [String: Any]) -> [String: Any] {
        var event = kase.event("closed", sequence: sequence)
        event["person"] = nil
        var closure = event["closure"] as! [String: Any]
        closure["shelter"] = shelter
        event["closure"] = closure
        return event
    }

    /// The text of the request FAX the gateway got, without blanks.
    static func faxText(_ mail: SMTPServer.Received) throws -> String {
        try DaemonPhotoTests.pdfText(of: mail.raw)
    }

    static func squeezed(_ text: String) -> String {
        String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
    }

    /// Every delivery of the case to the facility, as "kind/state".
    static func facilityDeliveries(_ rig: DaemonRig, _ caseID: String) async throws -> [String] {
        try await rig.ledger().report(case: CaseID(caseID)).filter { $0.recipient.rawValue.hasPrefix("shelter-") }
            .map { "\($0.kind.rawValue)/\($0.state.rawValue)" }.sorted()
    }

    static func expectNoPersonalData(in lines: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let everything = lines.joined(separator: "\n")
        for word in DaemonCase.Person.all + Registered.all {
            #expect(!everything.contains(word), "a log line carries \(word)", sourceLocation: sourceLocation)
        }
    }

    @Test(
        "a registered person's closure with shelter: the request by FAX through the gateway with the registration's fields, the staff's copy, the morning reminder, no termination to the facility; shelter end plans its own reminder"
    )
    func closureSendsTheRequest() async throws {
        try await withDaemonRig(options: Self.options(registry: true), cooperators: DaemonFolder.cooperators(email: 1, fax: 1)) { rig in
            // The family registered the person before (the registry's own CLI is tested elsewhere).
            let configuration = try Configuration.parse(yaml: String(contentsOfFile: rig.folder.settingsPath, encoding: .utf8))
            let registry = try Registry.open(configuration.registry, store: try rig.ledger(), credential: DaemonFolder.registryKey)
            try await registry.add(Self.registration(), by: "test", at: Date())

            let daemon = try await rig.startConsuming(environment: ["MIMAMORI_SHELTER_INTERVAL": "1"])
            let kase = DaemonCase(municipality: rig.folder.municipality)
            var opened = kase.event("opened", sequence: 1)
            var person = opened["person"] as! [String: Any]
            person["registrationId"] = "R2026-0001"
            opened["person"] = person
            try await rig.publisher.publish(opened)
            try await daemon.waitForLine(event: "case.opened", containing: ["case=\(kase.caseID)"])
            try await rig.waitForMail(2, daemon: daemon)
            try await rig.waitUntilSettled(kase.caseID, kinds: ["alert"], daemon: daemon)

            try await rig.publisher.publish(
                Self.closure(kase, sequence: 2, shelter: ["facilityId": "yasuragi", "expectedDays": 1, "protectedBy": Registered.police]))
            let closed = try await daemon.waitForLine(event: "case.closed", containing: ["case=\(kase.caseID)"])
            // The cooperators' termination and destruction reminder; the request has its own line.
            #expect(logField("fax", of: closed) == "2" && logField("email", of: closed) == "2", "\(closed)")
            let requested = try await daemon.waitForLine(event: "shelter.requested", containing: ["case=\(kase.caseID)"])
            #expect(logField("facility", of: requested) == "yasuragi" && logField("fax", of: requested) == "1")
            #expect(logField("staff", of: requested) == "1" && logField("days", of: requested) == "1")

            // Alert ×2, termination ×2, the request's FAX and copy, the morning reminder (remind-at 00:00, a 1-day stay).
            try await daemon.waitForLine(event: "shelter.ends-today", containing: ["case=\(kase.caseID)"])
            try await rig.waitForMail(7, daemon: daemon)
            let mails = try rig.smtp.received()
            let toFacility = mails.filter { $0.rcpt_tos == [Self.facilityFax] }
            #expect(toFacility.count == 1, "the facility gets the request and nothing else: \(toFacility.map(\.decoded?.subject))")
            let fax = try Self.faxText(try #require(toFacility.first))
            for field in [
                "緊急一時保護依頼書", "第\(kase.caseID)号", "介護老人福祉施設やすらぎ園様", "見守町長", "次の者について、緊急一時保護を委託します。",
                DaemonCase.Person.kana, DaemonCase.Person.name, "女性", "昭和17年3月3日（1942年）生", Registered.phone, Registered.address,
                "\(Registered.family)（長男、電話\(Registered.familyPhone)）", Registered.police, "（1日間）", "徘徊により一時保護が必要となったため",
                "要介護2、\(Registered.care)", "見守町福祉課（電話073-555-0000）",
            ] {
                #expect(fax.contains(Self.squeezed(field)), "the request FAX lacks \(field)")
            }
            let toStaff = mails.filter { $0.rcpt_tos == [Self.staff] }.compactMap(\.decoded)
            let copy = try #require(toStaff.first { $0.subject.contains("緊急一時保護依頼書の控え") })
            #expect(copy.subject.contains("介護老人福祉施設やすらぎ園") && copy.subject.contains(kase.caseID))
            let copyBody = try #require(copy.body)
            for field in [Registered.address, Registered.familyPhone, Registered.police, "mimamori shelter end \(kase.caseID)"] {
                #expect(copyBody.contains(field), "the staff's copy lacks \(field)")
            }
            let reminder = try #require(toStaff.first { $0.subject.contains("緊急一時保護の利用期間は本日までです") })
            #expect(reminder.subject.contains(kase.caseID) && reminder.body?.contains("mimamori shelter end \(kase.caseID)") == true)
            for word in DaemonCase.Person.all + Registered.all {
                #expect(reminder.body?.contains(word) == false, "the staff reminder carries \(word)")
            }
            // The cooperators' notices carry nothing of the registration but what an alert may.
            for mail in mails where mail.rcpt_tos != [Self.facilityFax] && mail.rcpt_tos != [Self.staff] {
                let text = mail.rcpt_tos.allSatisfy { $0.hasSuffix("@fax.example.jp") } ? try Self.faxText(mail) : mail.decoded?.body ?? ""
                for word in [Registered.address, Registered.family, Registered.familyPhone, Registered.care, Registered.police] {
                    #expect(!text.contains(Self.squeezed(word)) && !text.contains(word), "a cooperator's notice carries \(word)")
                }
            }
            try await rig.waitUntilSettled(kase.caseID, kinds: ["shelter-request", "termination"], daemon: daemon)
            #expect(try await Self.facilityDeliveries(rig, kase.caseID) == ["shelter-request/delivered"])
            // The case's destruction reminders go to the cooperators only.
            let reminders = try await rig.ledger().report(case: CaseID(kase.caseID)).filter { $0.kind == .destructionReminder }
            #expect(Set(reminders.map(\.recipient.rawValue)) == ["fax-001", "vol-0001"])

            let list = try rig.cli(["shelter", "list"])
            #expect(list.contains(kase.caseID) && list.contains("介護老人福祉施設やすらぎ園") && list.contains("依頼済み"), "\(list)")
            let end = try rig.cli(["shelter", "end", kase.caseID])
            #expect(end.contains("終了として記録しました") && end.contains("依頼書の処分のお願い"), "\(end)")
            #expect(try await Self.facilityDeliveries(rig, kase.caseID) == ["shelter-destruction/planned", "shelter-request/delivered"])
            let planned = try #require(try await rig.ledger().report(case: CaseID(kase.caseID)).first { $0.kind == .shelterDestruction })
            #expect(planned.channel == .fax && planned.revision == 2)
            let again = try runProcess(
                try DaemonProcess.binary("mimamori"), ["shelter", "end", kase.caseID, "--config", rig.folder.settingsPath])
            #expect(again.status == 1 && again.stderr.contains("すでに終了しています"), "\(again)")

            // The same person protected again, with no case: the file names the registration, the
            // command opens it with the registry-key credential and fills the form from it.
            let file = rig.folder.directory.appendingPathComponent("request.yaml")
            try "facility: yasuragi\ndays: 1\nprotectedBy: \(Registered.police)\nregistrationId: R2026-0001\n"
                .write(to: file, atomically: true, encoding: .utf8)
            let before = try rig.smtp.received().filter { $0.rcpt_tos == [Self.facilityFax] }.count
            let requested2 = try rig.cli(["shelter", "request", file.path, "--registry-key", rig.folder.registryKeyPath])
            #expect(requested2.contains("依頼書を送ります"), "\(requested2)")
            try await waitUntil("the second request reaches the facility", daemon: daemon) {
                try rig.smtp.received().filter { $0.rcpt_tos == [Self.facilityFax] }.count > before
            }
            let second = try Self.faxText(try #require(try rig.smtp.received().filter { $0.rcpt_tos == [Self.facilityFax] }.last))
            for field in [DaemonCase.Person.name, Registered.address, Registered.familyPhone, Registered.care, "昭和17年3月3日（1942年）生"] {
                #expect(second.contains(Self.squeezed(field)), "the file's request lacks the registration's \(field)")
            }
            let unregistered = rig.folder.directory.appendingPathComponent("unregistered.yaml")
            try "facility: yasuragi\ndays: 1\nregistrationId: R2026-0999\n".write(to: unregistered, atomically: true, encoding: .utf8)
            let missing = try runProcess(
                try DaemonProcess.binary("mimamori"),
                [
                    "shelter", "request", unregistered.path, "--registry-key", rig.folder.registryKeyPath, "--config",
                    rig.folder.settingsPath,
                ])
            #expect(missing.status == 2 && missing.stderr.contains("登録 R2026-0999 は登録簿にありません"), "\(missing)")

            Self.expectNoPersonalData(in: daemon.lines)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
            let audit = try rig.sql("SELECT event || ' ' || coalesce(detail, '') FROM audit WHERE case_id = '\(kase.caseID)' ORDER BY id")
            #expect(audit.contains { $0.hasPrefix("shelter.ended by=") }, "\(audit)")
            Self.expectNoPersonalData(in: audit)
        }
    }

    @Test(
        "a 7-day closure without approvedBy: every cooperator still gets the termination, the request waits, the staff are alarmed; shelter send --approved-by delivers it"
    )
    func unapprovedLongStayWaits() async throws {
        try await withDaemonRig(options: Self.options(), cooperators: DaemonFolder.cooperators(email: 2, fax: 2)) { rig in
            let daemon = try await rig.startConsuming()
            let kase = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(kase.event("opened", sequence: 1))
            try await rig.waitForMail(4, daemon: daemon)
            try await rig.waitUntilSettled(kase.caseID, kinds: ["alert"], daemon: daemon)

            try await rig.publisher.publish(
                Self.closure(kase, sequence: 2, shelter: ["facilityId": "yasuragi", "expectedDays": 7, "protectedBy": Registered.police]))
            let held = try await daemon.waitForLine(event: "shelter.held", containing: ["case=\(kase.caseID)"])
            #expect(logField("reason", of: held) == "needs-approval" && logField("days", of: held) == "7", "\(held)")
            // 4 alerts, 4 terminations, the staff's alarm.
            try await rig.waitForMail(9, daemon: daemon)
            try await rig.waitUntilSettled(kase.caseID, kinds: ["termination"], daemon: daemon)
            #expect(try await rig.states(kase.caseID)["termination/delivered"] == 4, "every cooperator hears of the end")
            var mails = try rig.smtp.received()
            #expect(!mails.contains { $0.rcpt_tos == [Self.facilityFax] }, "the held request did not go")
            let alarm = try #require(mails.first { $0.rcpt_tos == [Self.staff] }?.decoded)
            #expect(alarm.subject == "【要対応】緊急一時保護依頼書を送らずに保留しています \(kase.caseID)", "\(alarm.subject)")
            let body = try #require(alarm.body)
            #expect(body.contains("mimamori shelter send \(kase.caseID) --approved-by") && body.contains("第5条"), "\(body)")
            #expect(body.contains("073-489-5001"), "the facility's phone, to call at once")
            #expect(try await Self.facilityDeliveries(rig, kase.caseID).isEmpty)

            let binary = try DaemonProcess.binary("mimamori")
            let unapproved = try runProcess(binary, ["shelter", "send", kase.caseID, "--config", rig.folder.settingsPath])
            #expect(unapproved.status == 1 && unapproved.stderr.contains("町長の承認が必要です") && unapproved.stderr.contains("何も送っていません"))
            #expect(try await Self.facilityDeliveries(rig, kase.caseID).isEmpty)

            let sent = try rig.cli(["shelter", "send", kase.caseID, "--approved-by", Registered.official])
            #expect(sent.contains("緊急一時保護依頼書を送ります") && sent.contains("（7日間）") && sent.contains("1 件（施設あて"), "\(sent)")
            try await rig.waitForMail(11, daemon: daemon)
            mails = try rig.smtp.received()
            let fax = try Self.faxText(try #require(mails.first { $0.rcpt_tos == [Self.facilityFax] }))
            for field in ["（7日間）", "2日を超える期間は、町長が特に必要と認めたものです", Registered.police, NoticeRenderer.shelterUnknown] {
                #expect(fax.contains(Self.squeezed(field)), "the request lacks \(field)")
            }
            #expect(!fax.contains(Self.squeezed(Registered.official)), "the approving official stays in the ledger")
            #expect(mails.contains { $0.rcpt_tos == [Self.staff] && $0.decoded?.subject.contains("依頼書の控え") == true })

            let twice = try runProcess(binary, ["shelter", "send", kase.caseID, "--approved-by", "x", "--config", rig.folder.settingsPath])
            #expect(twice.status == 1 && twice.stderr.contains("保留中ではありません"), "\(twice)")
            let tooLong = try runProcess(
                binary, ["shelter", "extend", kase.caseID, "--days", "1", "--approved-by", "x", "--config", rig.folder.settingsPath])
            #expect(tooLong.status == 1 && tooLong.stderr.contains("上限の 7 日を超えます"), "\(tooLong)")
            let unknown = try runProcess(binary, ["shelter", "end", "NO-SUCH-CASE", "--config", rig.folder.settingsPath])
            #expect(unknown.status == 2 && unknown.stderr.contains("台帳にありません"), "\(unknown)")
            try await rig.waitUntilSettled(kase.caseID, kinds: ["shelter-request"], daemon: daemon)
            #expect(try await Self.facilityDeliveries(rig, kase.caseID) == ["shelter-request/delivered"])
            Self.expectNoPersonalData(in: daemon.lines)
        }
    }

    @Test(
        "a person protected with no case: shelter request FILE records a stay of its own and the facility gets the request; it is extended and ended like a case's"
    )
    func requestWithoutACase() async throws {
        try await withDaemonRig(options: Self.options(), cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
            let daemon = try await rig.startConsuming()
            let file = rig.folder.directory.appendingPathComponent("request.yaml")
            try """
            facility: yasuragi
            days: 1
            protectedBy: \(Registered.police)
            person:
              name: \(DaemonCase.Person.name)
              kana: \(DaemonCase.Person.kana)
              sex: 女性
              age: 84
            careNotes: [\(Registered.care)]
            """.write(to: file, atomically: true, encoding: .utf8)
            let out = try rig.cli(["shelter", "request", file.path])
            let id = try #require(out.split(separator: " ").first { $0.contains("-S-") }.map(String.init), "\(out)")
            #expect(out.contains("依頼書を送ります"), "\(out)")
            try await rig.waitForMail(2, daemon: daemon)
            let mails = try rig.smtp.received()
            let fax = try Self.faxText(try #require(mails.first { $0.rcpt_tos == [Self.facilityFax] }))
            for field in [DaemonCase.Person.name, DaemonCase.Person.kana, "84歳", Registered.police, Registered.care, "第\(id)号"] {
                #expect(fax.contains(Self.squeezed(field)), "the request lacks \(field)")
            }
            #expect(mails.contains { $0.rcpt_tos == [Self.staff] })
            #expect(try await rig.ledger().status(case: CaseID(id))?.schema == ShelterStay.recordSchema)

            let extended = try rig.cli(["shelter", "extend", id, "--days", "1"])
            #expect(extended.contains("合計 2 日") && extended.contains("第 \(id)-2 号"), "\(extended)")
            try await rig.waitForMail(4, daemon: daemon)
            let amended = try rig.smtp.received().filter { $0.rcpt_tos == [Self.facilityFax] }
            #expect(amended.count == 2)
            let amendedText = try amended.map(Self.faxText)
            #expect(amendedText.contains { $0.contains(Self.squeezed("緊急一時保護依頼書（変更）")) && $0.contains("（2日間）") })
            _ = try rig.cli(["shelter", "end", id])
            let facility = try await Self.facilityDeliveries(rig, id)
            #expect(
                facility.filter { $0.hasPrefix("shelter-request/") }.count == 2 && facility.contains("shelter-destruction/planned"),
                "\(facility)")
            // A case event for the record's id is refused: it is no police case.
            try await rig.publisher.publish(DaemonCase(municipality: rig.folder.municipality, caseID: id).event("updated", sequence: 2))
            try await daemon.waitForLine(event: "intake.rejected", containing: ["case=\(id)", "reason=case.id-of-a-shelter-request"])
            Self.expectNoPersonalData(in: daemon.lines)
        }
    }
}
