import AMQP
import Foundation
import MimamoriBroker
import TestFixtures
import Testing

/// Fault: on a three-node RabbitMQ cluster (private nodes, one Erlang cookie), the node that
/// leads the town's quorum queue, and that the daemon is connected to, stops in the middle of a
/// fan-out. The queue elects a leader on the two nodes left; the daemon, given the nodes as
/// `broker.urls`, reconnects to the next one, and nothing is lost.
@Suite("faults: the queue leader's node of a 3-node cluster stops mid fan-out (real mimamorid)", .serialized)
struct DaemonFaultClusterTests {
    static let volunteers = 120
    /// Per message, 4 sessions: the fan-out lasts a few seconds, long enough to be disturbed.
    static let replyDelay = 0.08
    static let reconnectBound: Duration = .seconds(5)

    @Test("0 lost, each recipient told once per notice, the daemon on another node within 5 s")
    func leaderNodeStops() async throws {
        let nodes = try await Broker.startCluster()
        try await Broker.withNodes(nodes) { try await run(nodes) }
    }

    func run(_ nodes: [Broker]) async throws {
        let town = Broker.uniqueName("e2e-cluster")
        // The queue is declared from the first node, so its leader is there (quorum queues'
        // leader locator is client-local): the node the daemon connects to first.
        let declaring = try await AMQPConnection.connect(
            try nodes[0].configuration(), topology: .mimamori(municipality: town), logger: Broker.logger("e2e-cluster"))
        await declaring.close()
        let leader = try await Self.leader(of: AMQPTopology.casesQueue(municipality: town), on: nodes[1])
        #expect(leader == (try nodes[0].nodeName()), "the test must stop the leader's node")

        var options = DaemonFolder.Options(emailSessions: 4, heartbeat: "5s", municipality: town)
        options.clusterPorts = nodes.map(\.port)
        let cooperators = DaemonFolder.cooperators(email: Self.volunteers, fax: 0)
        // The police side publishes through the second node, which stays up.
        try await withDaemonRig(broker: nodes[1], options: options, cooperators: cooperators) { rig in
            let daemon = try await rig.startConsuming()
            let connected = try #require(daemon.lines(event: "amqp.connected").first)
            #expect(connected.contains(":\(nodes[0].port)/"), "the daemon starts on the leader's node: \(connected)")
            rig.smtp.setReplyDelay(Self.replyDelay)
            let first = DaemonCase(municipality: town)
            try await rig.publisher.publish(first.event("opened", sequence: 1))
            try await rig.waitForMail(20, daemon: daemon)

            let stopped = ContinuousClock.now
            try await nodes[0].ctl("stop_app")
            let atFault = rig.smtp.receivedCount()
            // Published while the daemon reconnects: an update of the first case, a second case.
            let second = DaemonCase(municipality: town)
            try await rig.publishRetrying(first.event("updated", sequence: 2))
            try await rig.publishRetrying(second.event("opened", sequence: 1))
            let reconnectedLine = try await daemon.waitForLine(event: "amqp.reconnected", timeout: .seconds(30))
            let reconnected = ContinuousClock.now
            #expect(atFault < Self.volunteers, "the fan-out was over before the node stopped: the test proved nothing")
            #expect(logField("node", of: reconnectedLine) != "127.0.0.1:\(nodes[0].port)", "\(reconnectedLine)")
            let downtime = logField("downtime_ms", of: reconnectedLine).flatMap(Int.init) ?? .max
            #expect(downtime < 5000, "\(reconnectedLine)")
            #expect(reconnected - stopped < Self.reconnectBound + .seconds(1), "seen \((reconnected - stopped).ms) ms after the stop")
            print(
                "fault figure: cluster leader stop: case A at \(atFault)/\(Self.volunteers) emails; "
                    + "amqp.reconnected \(downtime) ms after the loss (\((reconnected - stopped).ms) ms after stop_app), \(logField("node", of: reconnectedLine) ?? "?")"
            )

            rig.smtp.setReplyDelay(nil)
            try await rig.waitUntilSettled(first.caseID, kinds: ["alert", "update"], daemon: daemon)
            try await rig.waitUntilSettled(second.caseID, kinds: ["alert"], daemon: daemon)
            // 0 lost: every alert and update planned is delivered, none twice.
            let firstStates = try await rig.states(first.caseID)
            #expect(firstStates["alert/delivered", default: 0] + firstStates["alert/cancelled", default: 0] == Self.volunteers)
            #expect(firstStates["update/delivered"] == Self.volunteers)
            #expect(try await rig.states(second.caseID) == ["alert/delivered": Self.volunteers])
            #expect(try rig.eventsRecordedTwice().isEmpty)
            #expect(try rig.sql("SELECT count(*) FROM events") == ["3"])
            let tally = try MailTally(rig.smtp)
            #expect(tally.duplicatesByMessageID == 0)
            #expect(tally.recipients(of: "update") == Set(cooperators.map(\.envelopeRecipient)))
            try await waitUntil("the cases queue is empty and nothing is unacked", daemon: daemon) {
                let counts = try await rig.casesQueueCounts()
                return counts.ready == 0 && counts.unacked == 0
            }
        }
    }

    /// The quorum queue's leader node, as `rabbitmqctl list_queues` names it.
    static func leader(of queue: String, on node: Broker) async throws -> String {
        let output = try await node.ctl("list_queues", "-q", "-p", node.virtualHost, "name", "leader")
        for line in output.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            if fields.count == 2, fields[0] == queue { return String(fields[1]) }
        }
        throw FixtureError("rabbitmqctl list_queues does not show \(queue):\n\(output)")
    }
}
