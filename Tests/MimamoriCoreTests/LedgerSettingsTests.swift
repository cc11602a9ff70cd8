import Foundation
import Testing

@testable import MimamoriCore

@Suite("Settings: the ledger is the SQLite file (ledger.path) or PostgreSQL (ledger.url)")
struct LedgerSettingsTests {
    static func parse(_ ledger: String) throws -> Configuration {
        let base = try Files.fixtureText("mimamori.yaml")
        let lines = base.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("ledger:") }
        return try Configuration.parse(yaml: lines.joined(separator: "\n") + "\nledger: \(ledger)\n")
    }

    static func problems(_ ledger: String) -> String {
        do {
            _ = try parse(ledger)
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test("url: PostgreSQL; path alone: the SQLite file, as before")
    func choice() throws {
        let postgres = try Self.parse("{ url: \"postgres://mimamori@db.town.example.jp/mimamori?sslmode=require\" }")
        #expect(postgres.ledger.url == "postgres://mimamori@db.town.example.jp/mimamori?sslmode=require")
        let sqlite = try Self.parse("{ path: /var/lib/mimamori/ledger.sqlite }")
        #expect(sqlite.ledger.url == nil)
        #expect(sqlite.ledger.path == "/var/lib/mimamori/ledger.sqlite")
    }

    @Test("a password in the URL, no user, both path and url, another scheme: problems that say what to do")
    func mistakes() {
        #expect(Self.problems("{ url: \"postgres://mimamori:secret@db/mimamori\" }").contains("put it in the ledger-password credential"))
        #expect(!Self.problems("{ url: \"postgres://mimamori:secret@db/mimamori\" }").contains("secret"))
        #expect(Self.problems("{ url: \"postgres://db/mimamori\" }").contains("ledger.url: names no user"))
        #expect(Self.problems("{ path: /var/lib/l.sqlite, url: \"postgres://m@db/m\" }").contains("path and url are both set"))
        #expect(Self.problems("{ url: \"mysql://m@db/m\" }").contains("ledger.url: not a URL"))
    }
}
