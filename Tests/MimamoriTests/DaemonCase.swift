import AMQP
import Foundation
import MimamoriBroker
import MimamoriDaemon
import MimamoriService
import TestFixtures

/// The police side of the end-to-end tests: case events as JSON (the schema of
/// `config/samples/`), signed with the folder's key and published to `mimamori.cases` the way
/// `mimamori publish` does, plus reading the dead-letter queue and removing the test's queues.
struct DaemonCase {
    /// The personal data of the sample person: none of it may ever appear in a log line.
    enum Person {
        static let name = "見守 試験子"
        static let kana = "みまもり しけんこ"
        static let build = "小柄で猫背"
        static let hair = "銀色のおかっぱ頭"
        static let features = ["左頬にほくろ", "白い補聴器"]
        static let clothing = ["藤色のセーター", "からし色の長靴"]
        static let belongings = ["赤い巾着袋"]
        static let place = "試験橋のたもとの児童公園"
        static let updatedPlace = "試験川の土手沿いの遊歩道"
        static let direction = "北の団地方面へ徒歩"
        static let phone = "073-555-0199"
        static let organization = "試験警察署"
        static let residenceArea = "試験台"

        /// Every string a log line must not contain.
        static var all: [String] {
            [name, "見守 ", "試験子", kana, build, hair, place, updatedPlace, direction, phone, "0735550199", residenceArea]
                + features + clothing + belongings
        }
    }

    let municipality: String
    let caseID: String

    init(municipality: String, caseID: String = "E2E-\(UUID().uuidString.prefix(8))") {
        self.municipality = municipality
        self.caseID = caseID
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Tokyo")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// An event of this case as a JSON object; `photo` attaches the sample PNG (consent given).
    func event(_ kind: String, sequence: Int, photo: Bool = false, messageID: UUID = UUID()) -> [String: Any] {
        let now = Date()
        var event: [String: Any] = [
            "schema": "mimamori.case/1", "caseId": caseID, "municipality": municipality, "drill": false,
            "messageId": messageID.uuidString.lowercased(), "sequence": sequence, "kind": kind,
            "issuedAt": Self.timestamp(now.addingTimeInterval(-60)),
            "person": [
                "name": Person.name, "nameKana": Person.kana, "sex": "female", "age": 84, "heightCm": 145,
                "build": Person.build, "hair": Person.hair, "features": Person.features,
                "residenceArea": Person.residenceArea,
            ],
            "clothing": Person.clothing, "belongings": Person.belongings,
            "lastSeen": [
                "at": Self.timestamp(now.addingTimeInterval(-3600)),
                "place": kind == "opened" ? Person.place : Person.updatedPlace, "direction": Person.direction,
                "area": "試験町",
            ],
            "consent": ["cooperators": true, "radio": true, "photo": photo, "partnerTowns": false],
            "contact": ["organization": Person.organization, "phone": Person.phone],
        ]
        if photo { event["photo"] = ["mediaType": "image/png", "data": Self.samplePhoto] }
        if kind == "closed" {
            event["closure"] = ["at": Self.timestamp(now.addingTimeInterval(-30)), "reason": "found"]
        }
        return event
    }

    static func json(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// The 120×150 PNG of the samples.
    static let samplePhoto =
        "iVBORw0KGgoAAAANSUhEUgAAAHgAAACWCAAAAAAwQRP8AAABOklEQVR42u3Z0YkDUQxDUVd3++8jTSwLgZAwSV7gyfIwUgPn15bqZkoFDhw4cODAgQMHDjwE5jlNMEfRw7yLFuZThDBsk2sf+xtdW90f5Nrrrsu12V2Wa7e7Ktd2d1EeDsN2uQTukjwaBoE8GQaFHHiT+10OHDhw4MCBzwjnAumDr3feXvCF8X2LF3zMfR2Ir/Xx9Vy+Zs/XZfraW2Nf7WvojZuEcYVx7k6BAwc+4yFgO32yO2V3yu50ajgrTBMMGnksDCK5ZO4XeSgMMnkmDDq5lO4neSIMSnkgDFK5xO5beRwMYnkaDGq59O6xPAsGvTwKhga5WtwDeRAMLfIcGHrk6nJf5SkwdMlDYGiTq9F9kkfA0ChPgKFTrl73Ifth6JXtMDTL1e7eZTMM7bIXhn65HO6/7IRx5PYHDK6wmyXh1PcAAAAASUVORK5CYII="
}

/// A publisher connection to the test broker (the police side), also used to read the dead
/// queue and to delete the test's queues at the end.
final class CasePublisher: Sendable {
    let connection: AMQPConnection
    let folder: DaemonFolder

    init(broker: Broker, folder: DaemonFolder) async throws {
        self.folder = folder
        connection = try await AMQPConnection.connect(
            try broker.configuration(), topology: .mimamori(municipality: folder.municipality),
            logger: Broker.logger("e2e-publisher"))
    }

    /// Publishes `body` as `mimamori publish` would: routing key `case.<municipality>.<kind>`,
    /// persistent, mandatory, confirmed; signed with the folder's key unless `signed` is false
    /// (or with `headers` given explicitly).
    func publish(
        _ body: [UInt8], kind: String = "opened", messageID: String? = nil, signed: Bool = true,
        headers explicit: [String: String]? = nil
    ) async throws {
        var headers: [String: AMQPHeaderValue] = [:]
        if let explicit {
            for (name, value) in explicit { headers[name] = .string(value) }
        } else if signed {
            for (name, value) in try folder.signer.headers(for: body) { headers[name] = .string(value) }
        }
        try await connection.publish(
            exchange: AMQPTopology.casesExchange, routingKey: "case.\(folder.municipality).\(kind)", body: body,
            headers: headers, messageID: messageID, contentType: "application/json", persistent: true, mandatory: true)
    }

    /// Publishes an event object of `DaemonCase`, signed.
    func publish(_ event: [String: Any]) async throws {
        try await publish(
            try DaemonCase.json(event), kind: event["kind"] as? String ?? "opened", messageID: event["messageId"] as? String)
    }

    /// Takes `count` messages from the dead-letter queue (acking them).
    func takeDead(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [AMQPDelivery] {
        let deliveries = try await connection.consume(queue: folder.deadQueue)
        return try await withThrowingTaskGroup(of: [AMQPDelivery]?.self) { group in
            group.addTask {
                var taken: [AMQPDelivery] = []
                for try await delivery in deliveries {
                    try await self.connection.ack(delivery)
                    taken.append(delivery)
                    if taken.count == count { break }
                }
                return taken
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let taken = first else {
                throw WaitTimedOut(
                    description: "timed out after \(timeout) waiting for \(count) dead-lettered messages in \(self.folder.deadQueue)")
            }
            return taken
        }
    }

    /// Deletes the test's queues and closes the connection.
    /// Publishes a concern event as the city's staff or web form would: routing key
    /// `concern.<municipality>.<kind>` on `mimamori.concerns`, signed with the folder's key.
    func publishConcern(_ event: [String: Any], messageID: String? = nil) async throws {
        let body = try DaemonCase.json(event)
        var headers: [String: AMQPHeaderValue] = [:]
        for (name, value) in try folder.signer.headers(for: body) { headers[name] = .string(value) }
        try await connection.publish(
            exchange: AMQPTopology.concernsExchange, routingKey: "concern.\(folder.municipality).\(event["kind"] as? String ?? "reported")",
            body: body, headers: headers, messageID: messageID ?? event["messageId"] as? String, contentType: "application/json",
            persistent: true, mandatory: true)
    }

    func finish() async {
        try? await connection.delete(queue: folder.concernsQueue)
        try? await connection.delete(queue: folder.casesQueue)
        try? await connection.delete(queue: folder.deadQueue)
        await connection.close()
    }
}
