import AMQP
import Foundation
import TestFixtures
import Testing

/// `deploy/broker-users.sh` (run by `deploy/install.sh`) gives each broker user of the
/// definitions a generated password and the broker the matching hash: loaded into the real test
/// node, each user logs in with its password file, and a second run keeps the passwords.
@Suite("deploy: generated broker passwords")
struct DeployBrokerUsersTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Definitions: Codable {
        struct User: Codable {
            var name: String
            var password_hash: String
            var hashing_algorithm: String
            var tags: [String]
        }
        var users: [User]
    }

    static func run(_ out: URL, _ passwords: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            root.appendingPathComponent("deploy/broker-users.sh").path,
            root.appendingPathComponent("deploy/rabbitmq/definitions.json").path, out.path, passwords.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("every user logs in with its generated password; a second run keeps them; a wrong one is refused")
    func generatedPasswordsWork() async throws {
        let broker = try Broker.fromEnvironment()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("broker-users-\(UUID().uuidString)")
        let passwords = work.appendingPathComponent("passwords")
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let out = work.appendingPathComponent("definitions.json")
        try Self.run(out, passwords)
        let first = try JSONDecoder().decode(Definitions.self, from: Data(contentsOf: out))
        #expect(first.users.count == 3 && first.users.allSatisfy { !$0.password_hash.isEmpty })
        func password(_ user: String) throws -> String {
            try String(contentsOf: passwords.appendingPathComponent(user), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let before = try first.users.map { try password($0.name) }
        #expect(before.allSatisfy { $0.count >= 24 } && Set(before).count == before.count)
        let mode =
            try FileManager.default.attributesOfItem(atPath: passwords.appendingPathComponent(first.users[0].name).path)[.posixPermissions]
            as? Int
        #expect(mode == 0o600)
        try Self.run(out, passwords)
        let second = try JSONDecoder().decode(Definitions.self, from: Data(contentsOf: out))
        #expect(try second.users.map { try password($0.name) } == before)

        // The users, renamed for this run, with their hashes and a vhost of their own.
        let suffix = Broker.uniqueName("u")
        let vhost = "users-\(suffix)"
        var users: [[String: Any]] = []
        var permissions: [[String: Any]] = []
        for user in second.users {
            let name = "\(user.name)-\(suffix)"
            users.append(["name": name, "password_hash": user.password_hash, "hashing_algorithm": user.hashing_algorithm, "tags": []])
            permissions.append(["user": name, "vhost": vhost, "configure": "", "write": "", "read": ""])
        }
        let load = FileManager.default.temporaryDirectory.appendingPathComponent("users-\(suffix).json")
        try JSONSerialization.data(withJSONObject: ["users": users, "vhosts": [["name": vhost]], "permissions": permissions])
            .write(to: load)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: load.path)
        defer { try? FileManager.default.removeItem(at: load) }
        _ = try await broker.ctl("import_definitions", load.path)
        defer {
            Task {
                _ = try? await broker.ctl("delete_vhost", vhost)
                for user in second.users { _ = try? await broker.ctl("delete_user", "\(user.name)-\(suffix)") }
            }
        }
        for (user, secret) in zip(second.users, before) {
            var configuration = try broker.configuration()
            configuration.user = "\(user.name)-\(suffix)"
            configuration.password = secret
            configuration.virtualHost = vhost
            let connection = try await AMQPConnection.connect(configuration, logger: Broker.logger("users-test"))
            await connection.close()
            configuration.password = secret + "x"
            do {
                let refused = try await AMQPConnection.connect(configuration, logger: Broker.logger("users-test"))
                await refused.close()
                Issue.record("\(user.name) logged in with a wrong password")
            } catch {
                #expect(error.code == .accessRefused || error.code == .authenticationFailed, "\(error)")
            }
        }
    }
}
