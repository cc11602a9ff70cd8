import AMQP
import Foundation
import MimamoriBroker
import TestFixtures
import Testing

/// Seed 004 as two towns run it: Kimino and Kainan, each with its own broker (two private
/// RabbitMQ nodes), its own mimamorid, SMTP server and directory, joined by the shovel that
/// `deploy/rabbitmq/partner-shovel.sh` declares. A case the family let the partner towns see
/// reaches both towns' cooperators once each, and both hear the end; without that consent the
/// partner's broker receives nothing.
@Suite("mimamorid partner towns (two brokers, the shovel, two daemons)", .serialized)
struct DaemonPartnerTownTests {
    static let shopAddress = "shop@kainan.example.jp"

    static func event(_ c: DaemonCase, _ kind: String, sequence: Int, partnerTowns: Bool) -> [String: Any] {
        var event = c.event(kind, sequence: sequence)
        event["consent"] = ["cooperators": true, "radio": false, "photo": false, "partnerTowns": partnerTowns]
        return event
    }

    @Test("consented: each town's cooperators alerted once, both terminated; not consented: the partner's broker gets nothing")
    func twoTowns() async throws {
        let partnerBroker = try await Broker.startPartnerNode()
        try await Broker.withNodes([partnerBroker]) { try await run(partnerBroker) }
    }

    func run(_ partnerBroker: Broker) async throws {
        let kiminoTown = Broker.uniqueName("e2e-kimino")
        let kainanTown = Broker.uniqueName("e2e-kainan")
        let kiminoOptions = DaemonFolder.Options(municipality: kiminoTown, partners: "{ \(kainanTown): own-daemon }")
        let kainanOptions = DaemonFolder.Options(
            municipality: kainanTown, partners: "{ \(kiminoTown): { kind: own-daemon, name: 紀美野町 } }")
        try await withDaemonRig(options: kiminoOptions, cooperators: []) { kimino in
            try await withDaemonRig(broker: partnerBroker, options: kainanOptions, cooperators: []) { kainan in
                // One police: Kainan verifies with the key Kimino's events are signed with.
                let key = "publishers/\(kimino.folder.keyID).pub"
                try FileManager.default.removeItem(at: kainan.folder.directory.appendingPathComponent(key))
                try FileManager.default.copyItem(
                    at: kimino.folder.directory.appendingPathComponent(key), to: kainan.folder.directory.appendingPathComponent(key))
                // Kimino's directory still lists the Kainan shop of the old shared list: Kainan's
                // daemon alerts it, never both.
                try kimino.folder.writeCooperatorsFile(
                    """
                    id,name,channel,address,areas,municipality,active
                    kimino-vol-1,紀美野の協力者1,email,k1@volunteers.example.jp,,\(kiminoTown),yes
                    kimino-vol-2,紀美野の協力者2,email,k2@volunteers.example.jp,,\(kiminoTown),yes
                    kainan-shop,海南の協力店,email,\(Self.shopAddress),,\(kainanTown),yes

                    """)
                try kainan.folder.writeCooperatorsFile(
                    """
                    id,name,channel,address,areas,municipality,active
                    kainan-shop,海南の協力店,email,\(Self.shopAddress),,\(kainanTown),yes
                    kainan-vol-1,海南の協力者1,email,n1@volunteers.example.jp,,\(kainanTown),yes

                    """)
                // What the staff see before anything is sent.
                let checked = try kimino.cli(["check-config"])
                #expect(checked.contains("partners: \(kainanTown) (its own mimamorid"), "\(checked)")
                #expect(checked.contains("1 row(s) of \(kainanTown) are alerted by \(kainanTown)'s own mimamorid"), "\(checked)")
                let kiminoDaemon = try await kimino.startConsuming()
                let kainanDaemon = try await kainan.startConsuming()
                try await declareShovel(from: kimino, town: kiminoTown, to: partnerBroker, partner: kainanTown)

                // 1. Consented: alerted once in each town, by that town's daemon.
                let shared = DaemonCase(municipality: kiminoTown)
                try await kimino.publisher.publish(Self.event(shared, "opened", sequence: 1, partnerTowns: true))
                try await kimino.waitUntilSettled(shared.caseID, kinds: ["alert"], daemon: kiminoDaemon)
                try await kainan.waitUntilSettled(shared.caseID, kinds: ["alert"], daemon: kainanDaemon)
                let kiminoAlerts = try kimino.smtp.received().flatMap(\.rcpt_tos)
                let kainanAlerts = try kainan.smtp.received().flatMap(\.rcpt_tos)
                #expect(kiminoAlerts.sorted() == ["k1@volunteers.example.jp", "k2@volunteers.example.jp"])
                #expect(kainanAlerts.sorted() == ["n1@volunteers.example.jp", Self.shopAddress])
                // A Kainan volunteer reads where the person went missing and whose area the
                // residence is; Kimino's own volunteers read the notice as always.
                let kainanBody = try #require(try kainan.smtp.received().first?.decoded?.body)
                #expect(kainanBody.contains("紀美野町で次の方が行方不明になり"), "\(kainanBody)")
                #expect(kainanBody.contains("お住まい　　紀美野町 \(DaemonCase.Person.residenceArea)"), "\(kainanBody)")
                let kiminoBody = try #require(try kimino.smtp.received().first?.decoded?.body)
                #expect(!kiminoBody.contains("紀美野町で次の方") && kiminoBody.contains("次の方が行方不明になり"))
                #expect(try await kimino.states(shared.caseID) == ["alert/delivered": 2])
                #expect(try await kainan.states(shared.caseID) == ["alert/delivered": 2])
                #expect(kiminoDaemon.lines(event: "partner.forwarded", containing: ["partner=\(kainanTown)", "seq=1"]).count == 1)
                let kiminoCase = try #require(kiminoDaemon.lines(event: "case.opened").last)
                #expect(logField("asked", of: kiminoCase) == "2", "\(kiminoCase)")
                #expect(logField("partner_daemon", of: kiminoCase) == "1", "the Kainan row, told by Kainan: \(kiminoCase)")
                let kainanCase = try #require(kainanDaemon.lines(event: "case.opened").last)
                #expect(logField("asked", of: kainanCase) == "2" && logField("partner_daemon", of: kainanCase) == nil, "\(kainanCase)")

                // Closed: both towns terminate what they told, the closure forwarded although
                // it carries no consent of its own.
                try await kimino.publisher.publish(Self.event(shared, "closed", sequence: 2, partnerTowns: false))
                try await kimino.waitUntilSettled(shared.caseID, kinds: ["termination"], daemon: kiminoDaemon)
                try await kainan.waitUntilSettled(shared.caseID, kinds: ["termination"], daemon: kainanDaemon)
                #expect(try await kimino.states(shared.caseID)["termination/delivered"] == 2)
                #expect(try await kainan.states(shared.caseID)["termination/delivered"] == 2)
                // Each town reminds its own holders to destroy the notices.
                #expect(try await kimino.states(shared.caseID)["destruction-reminder/planned"] == 2)
                #expect(try await kainan.states(shared.caseID)["destruction-reminder/planned"] == 2)
                // Forwarded and confirmed: the signed body is gone from Kimino's outbox.
                #expect(
                    try kimino.sql(
                        "SELECT sequence, partner, body IS NULL FROM partner_forwards WHERE case_id = '\(shared.caseID)' ORDER BY id")
                        == ["1|\(kainanTown)|1", "2|\(kainanTown)|1"])

                // 2. Not consented: Kimino alone. A consented case published after it arrives in
                // Kainan through the same queue and shovel in order, so once it is there the
                // first would have been too.
                let local = DaemonCase(municipality: kiminoTown)
                try await kimino.publisher.publish(Self.event(local, "opened", sequence: 1, partnerTowns: false))
                try await kimino.waitUntilSettled(local.caseID, kinds: ["alert"], daemon: kiminoDaemon)
                let marker = DaemonCase(municipality: kiminoTown)
                try await kimino.publisher.publish(Self.event(marker, "opened", sequence: 1, partnerTowns: true))
                try await kainan.waitUntilSettled(marker.caseID, kinds: ["alert"], daemon: kainanDaemon)
                #expect(try await kimino.states(local.caseID) == ["alert/delivered": 2])
                #expect(try kimino.sql("SELECT count(*) FROM partner_forwards WHERE case_id = '\(local.caseID)'") == ["0"])
                #expect(try kainan.sql("SELECT count(*) FROM events WHERE case_id = '\(local.caseID)'") == ["0"])
                #expect(try kainan.sql("SELECT count(*) FROM audit WHERE case_id = '\(local.caseID)'") == ["0"])
                #expect(kainanDaemon.lines(event: "intake.rejected").isEmpty, "\(kainanDaemon.tail())")

                // Ids and counts only, in both towns' journals.
                let secrets = DaemonCase.Person.all + ["k1@volunteers", "k2@volunteers", "n1@volunteers", Self.shopAddress]
                for line in kiminoDaemon.lines + kainanDaemon.lines {
                    let found = secrets.filter { line.contains($0) }
                    #expect(found.isEmpty, "log line holds personal data \(found): \(line)")
                }
                try await removeShovel(from: kimino, town: kiminoTown, partner: kainanTown)
            }
        }
    }

    /// `deploy/rabbitmq/partner-shovel.sh` against the test node, as an operator runs it.
    func declareShovel(from rig: DaemonRig, town: String, to partner: Broker, partner partnerTown: String) async throws {
        let uriFile = rig.folder.directory.appendingPathComponent("partner-uri")
        try "\(partner.url)\n".write(to: uriFile, atomically: true, encoding: .utf8)
        let script = URL(fileURLWithPath: rig.broker.script).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/rabbitmq/partner-shovel.sh").path
        var environment = ProcessInfo.processInfo.environment
        environment["RABBITMQCTL"] = "\(rig.broker.script) ctl"
        let run = try runProcess(
            script, ["--town", town, "--partner", partnerTown, "--dest-uri-file", uriFile.path, "--vhost", rig.broker.virtualHost],
            environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        let name = "mimamori-\(town)-to-\(partnerTown)"
        try await waitUntil("the shovel \(name) runs", timeout: .seconds(30), daemon: nil, every: .milliseconds(200)) {
            let status = try await rig.broker.ctl("shovel_status", "--formatter", "json")
            return status.contains("\"name\":\"\(name)\"") && status.contains("\"state\":\"running\"")
        }
    }

    func removeShovel(from rig: DaemonRig, town: String, partner: String) async throws {
        _ = try? await rig.broker.ctl("clear_parameter", "-p", rig.broker.virtualHost, "shovel", "mimamori-\(town)-to-\(partner)")
        try? await rig.publisher.connection.delete(queue: AMQPTopology.forwardingQueue(municipality: town, partner: partner))
    }
}

extension DaemonPartnerTownTests {
    @Test(
        "a forward the broker refuses is said so and kept, through a kill -9 too; once the queue is back it goes, the police's bytes and signature unchanged"
    )
    func refusedForwardWaitsAndGoesUnchanged() async throws {
        let town = Broker.uniqueName("e2e-kimino")
        let partner = Broker.uniqueName("e2e-kainan")
        let options = DaemonFolder.Options(municipality: town, partners: "{ \(partner): own-daemon }")
        try await withDaemonRig(options: options, cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
            let daemon = try await rig.startConsuming()
            let queue = AMQPTopology.forwardingQueue(municipality: town, partner: partner)
            // An operator removed the forwarding queue (or the definitions lack it).
            try await rig.publisher.connection.delete(queue: queue)
            let c = DaemonCase(municipality: town)
            let body = try DaemonCase.json(Self.event(c, "opened", sequence: 1, partnerTowns: true))
            let signature = try rig.folder.signer.headers(for: body)
            try await rig.publisher.publish(body, headers: signature)
            try await rig.waitUntilSettled(c.caseID, kinds: ["alert"], daemon: daemon)
            let refused = try await daemon.waitForLine(event: "partner.unforwarded")
            #expect(logField("code", of: refused) == "returned", "\(refused)")
            #expect(logField("partner", of: refused) == partner && logField("case", of: refused) == c.caseID)
            #expect(try rig.sql("SELECT count(*) FROM partner_forwards WHERE forwarded_at IS NULL AND body IS NOT NULL") == ["1"])

            // The daemon dies with the forward owed, and the queue comes back while it is down.
            await daemon.kill()
            try await rig.publisher.connection.declare(.mimamori(municipality: town, partners: [partner]))
            let restarted = try await rig.startConsuming()
            _ = try await restarted.waitForLine(event: "partner.forwarded", timeout: .seconds(60))
            #expect(restarted.lines(event: "partner.forwarded").count == 1)
            let deliveries = try await rig.publisher.connection.consume(queue: queue)
            var forwarded: AMQPDelivery?
            for try await delivery in deliveries {
                try await rig.publisher.connection.ack(delivery)
                forwarded = delivery
                break
            }
            let message = try #require(forwarded)
            #expect(message.body == body, "the partner verifies the police's signature over these bytes")
            #expect(message.routingKey == "case.\(partner).opened")
            for (name, value) in signature { #expect(message.headers[name] == .string(value), "\(name)") }
            let sent = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            #expect(message.messageID == sent?["messageId"] as? String, "the partner's ledger knows a repeat by it")
            #expect(try rig.sql("SELECT count(*) FROM partner_forwards WHERE body IS NOT NULL") == ["0"])
            try await rig.publisher.connection.delete(queue: queue)
        }
    }
}

extension DaemonPartnerTownTests {
    /// The first of a pass refused for one partner used to end the pass, so one town whose
    /// forwarding queue had gone kept every other partner town from hearing of the case.
    @Test(
        "one partner's forwarding queue gone: that partner waits, said so; the other partner gets the case at once, and the first once its queue is back"
    )
    func oneRefusedPartnerHoldsUpNoOther() async throws {
        let town = Broker.uniqueName("e2e-kimino")
        let gone = Broker.uniqueName("e2e-kainan")
        let open = Broker.uniqueName("e2e-yuasa")
        let options = DaemonFolder.Options(municipality: town, partners: "{ \(gone): own-daemon, \(open): own-daemon }")
        try await withDaemonRig(options: options, cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
            let daemon = try await rig.startConsuming()
            let goneQueue = AMQPTopology.forwardingQueue(municipality: town, partner: gone)
            let openQueue = AMQPTopology.forwardingQueue(municipality: town, partner: open)
            try await rig.publisher.connection.delete(queue: goneQueue)
            let c = DaemonCase(municipality: town)
            try await rig.publisher.publish(Self.event(c, "opened", sequence: 1, partnerTowns: true))

            let refused = try await daemon.waitForLine(event: "partner.unforwarded")
            // The refused partner's forward is the first of the pass (by name and as listed).
            #expect(try rig.sql("SELECT partner FROM partner_forwards ORDER BY id") == [gone, open])
            #expect(logField("partner", of: refused) == gone && logField("code", of: refused) == "returned", "\(refused)")
            let forwarded = try await daemon.waitForLine(event: "partner.forwarded")
            #expect(logField("partner", of: forwarded) == open && logField("case", of: forwarded) == c.caseID, "\(forwarded)")
            let deliveries = try await rig.publisher.connection.consume(queue: openQueue)
            var arrived: AMQPDelivery?
            for try await delivery in deliveries {
                try await rig.publisher.connection.ack(delivery)
                arrived = delivery
                break
            }
            #expect(try #require(arrived).routingKey == "case.\(open).opened")
            #expect(
                try rig.sql("SELECT partner FROM partner_forwards WHERE forwarded_at IS NULL AND body IS NOT NULL") == [gone])

            // The queue back: the next pass forwards it.
            try await rig.publisher.connection.declare(.mimamori(municipality: town, partners: [gone, open]))
            _ = try await daemon.waitForLine(event: "partner.forwarded", count: 2, timeout: .seconds(60))
            #expect(daemon.lines(event: "partner.forwarded").compactMap { logField("partner", of: $0) } == [open, gone])
            #expect(try rig.sql("SELECT count(*) FROM partner_forwards WHERE body IS NOT NULL") == ["0"])
            for queue in [goneQueue, openQueue] { try await rig.publisher.connection.delete(queue: queue) }
        }
    }
}
