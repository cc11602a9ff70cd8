import Foundation
import MimamoriCore
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What the run was given: read by the suite's trait, so outside the suite's own type.
enum DebianPackageRun {
    static let deb = ProcessInfo.processInfo.environment["MIMAMORI_TEST_DEB"]
    /// In CI the package is part of the acceptance: a run that did not build it must not pass.
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"
}

/// The `.deb` that `make test` builds (`MIMAMORI_TEST_DEB`: its path), installed on this machine
/// as a town's server would install it: every library the binaries load comes from a package it
/// depends on, the installed sample passes `check-config`, the installed daemon starts against
/// the test broker, the unit is installed but not enabled, and a purge leaves nothing behind. It
/// installs into the real `/usr` and `/etc`, so it needs root; outside CI a run without the package
/// (`MIMAMORI_DEB=0 make test`) or without root skips it, in CI (`CI=true`) it fails instead.
@Suite(
    "Debian package (dpkg -i, the installed daemon, dpkg --purge)", .serialized,
    .enabled(
        if: DebianPackageRun.required || (DebianPackageRun.deb != nil && getuid() == 0),
        "no package (MIMAMORI_DEB=0) or not root; CI=true runs it regardless"))
struct DebianPackageTests {
    static let package = "mimamori"
    static let unit = "mimamorid.service"

    @Test(
        "installs, every ldd library is from a Depends package, the man pages' NAME lines, check-config passes, mimamorid starts, the unit is not enabled, purge leaves nothing"
    )
    func installRunPurge() async throws {
        let deb = try #require(
            DebianPackageRun.deb, "CI=true and no package: make test builds it (scripts/deb.sh --test) unless MIMAMORI_DEB=0")
        try #require(FileManager.default.fileExists(atPath: deb), "MIMAMORI_TEST_DEB=\(deb) is missing: run `make deb`")
        try #require(getuid() == 0, "dpkg -i needs root")
        // A package left by an earlier, interrupted run would hide what this one installs.
        _ = try runProcess("/usr/bin/dpkg", ["--purge", Self.package])

        let install = try runProcess("/usr/bin/dpkg", ["-i", deb])
        try #require(install.status == 0, "dpkg -i \(deb): \(install.stdout)\(install.stderr)")
        let files = try runTool("/usr/bin/dpkg", ["-L", Self.package]).split(separator: "\n").map(String.init)
        do {
            try checkInstalled(files: files)
            try await startInstalledDaemon()
        } catch {
            _ = try? runProcess("/usr/bin/dpkg", ["--purge", Self.package])
            throw error
        }

        let purge = try runProcess("/usr/bin/dpkg", ["--purge", Self.package])
        #expect(purge.status == 0, "dpkg --purge: \(purge.stdout)\(purge.stderr)")
        #expect(try runProcess("/usr/bin/dpkg-query", ["-W", Self.package]).status != 0, "still known to dpkg after the purge")
        // Folders the package shares with others (/usr/bin, /etc) stay; everything of its own goes.
        let left = (files + ["/etc/mimamori", "/var/lib/mimamori", "/var/spool/mimamori", "/usr/lib/mimamori"] + Self.unitState())
            .filter { FileManager.default.fileExists(atPath: $0) && !Self.sharedFolder($0) }
        #expect(left.isEmpty, "left after dpkg --purge: \(left)")
    }

    /// The unit's enable links under /etc/systemd/system and deb-systemd-helper's records of it.
    static func unitState() -> [String] {
        var found: [String] = []
        for folder in ["/etc/systemd/system", "/var/lib/systemd/deb-systemd-helper-enabled"] {
            guard let walk = FileManager.default.enumerator(atPath: folder) else { continue }
            for case let path as String in walk where path.hasSuffix(unit) || path.contains("\(unit).") {
                found.append("\(folder)/\(path)")
            }
        }
        return found
    }

    /// What `man -l` prints under NAME, and the whatis line man-db's lexgrog reads from the page.
    func checkManualNames() throws {
        for (page, name) in [("/usr/share/man/man1/mimamori.1.gz", "mimamori"), ("/usr/share/man/man8/mimamorid.8.gz", "mimamorid")] {
            let whatis = try runTool("/usr/bin/lexgrog", [page])
            #expect(whatis.contains("\"\(name) - ") && whatis.contains("見守り"), "lexgrog \(page): \(whatis)")
            let shown = try runProcess("/usr/bin/env", ["LANG=C.UTF-8", "MANWIDTH=100", "man", "-l", page])
            let lines = shown.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let nameLine = lines.firstIndex(of: "NAME").flatMap { lines.indices.contains($0 + 1) ? lines[$0 + 1] : nil }
            #expect(
                nameLine?.hasPrefix(name) == true && nameLine?.contains("見守り") == true, "man -l \(page), NAME: \(nameLine ?? shown.stdout)")
        }
    }

    /// Folders other packages install into too (/usr/bin, man and completion folders).
    static func sharedFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return false }
        return !path.contains("mimamori")
    }

    func checkInstalled(files: [String]) throws {
        for binary in ["/usr/bin/mimamorid", "/usr/bin/mimamori"] {
            #expect(files.contains(binary), "\(binary) is not in the package")
        }
        #expect(files.contains("/etc/mimamori/mimamori.yaml") && files.contains("/usr/share/man/man8/mimamorid.8.gz"))
        #expect(files.contains("/lib/systemd/system/\(Self.unit)") && files.contains("/usr/share/doc/mimamori/README.Debian"))
        // Installed, not enabled: the samples cannot run a town (README.Debian).
        let links = Self.unitState().filter { $0.hasPrefix("/etc/systemd/system/") }
        #expect(links.isEmpty, "the unit was enabled at install: \(links)")
        try checkManualNames()
        let depends = try runTool("/usr/bin/dpkg-query", ["-W", "-f=${Depends}", Self.package])
        let dependedOn = Set(
            depends.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? "" }
        )
        for binary in ["/usr/bin/mimamorid", "/usr/bin/mimamori"] {
            let ldd = try runTool("/usr/bin/ldd", [binary])
            #expect(!ldd.contains("not found"), "\(binary): \(ldd)")
            #expect(!ldd.contains("libswift"), "\(binary) loads a Swift runtime library: \(ldd)")
            let libraries = ldd.split(separator: "\n").compactMap { line -> String? in
                let parts = line.split(separator: " ")
                guard let arrow = parts.firstIndex(of: "=>"), arrow + 1 < parts.count, parts[arrow + 1].hasPrefix("/") else { return nil }
                return String(parts[arrow + 1])
            }
            #expect(libraries.count > 3, "\(binary): \(ldd)")
            for library in libraries {
                let owner = try Self.owningPackage(library)
                #expect(
                    owner.map(dependedOn.contains) == true,
                    "\(binary) loads \(library) from \(owner ?? "no package"), not in Depends: \(depends)")
            }
        }
        // The one step an operator takes before the sample passes: the police side's public key.
        let keys = try ServerProcess.temporaryDirectory("deb-keys")
        defer { try? FileManager.default.removeItem(at: keys) }
        _ = try runTool("/usr/bin/mimamori", ["keygen", "police-deb-test", "--out", keys.path])
        let installedKey = "/etc/mimamori/publishers/police-deb-test.pub"
        try FileManager.default.copyItem(atPath: keys.appendingPathComponent("police-deb-test.pub").path, toPath: installedKey)
        defer { try? FileManager.default.removeItem(atPath: installedKey) }
        let check = try runProcess("/usr/bin/mimamori", ["check-config", "--config", "/etc/mimamori/mimamori.yaml"])
        #expect(check.status == 0, "check-config of the installed sample: \(check.stdout)\(check.stderr)")
        let user = try runProcess("/usr/bin/getent", ["passwd", "mimamori"])
        #expect(user.status == 0 && user.stdout.contains("/var/lib/mimamori"), "the mimamori user: \(user.stdout)")
        for folder in ["/var/lib/mimamori", "/var/spool/mimamori/radio", "/etc/mimamori/credentials"] {
            #expect(FileManager.default.fileExists(atPath: folder), "\(folder) was not created")
        }
        // postinst wrote a registry key and a confirm key into the empty files tmpfiles.d made,
        // keeping their owner and mode (the staff's commands read them as the mimamori group).
        let registryKey = "/etc/mimamori/registry-key"
        let keyText = (try? String(contentsOfFile: registryKey, encoding: .utf8)) ?? ""
        #expect((try? RegistryVault(credential: keyText)) != nil, "postinst wrote no registry key into \(registryKey)")
        let confirmKey = "/etc/mimamori/confirm-key"
        let confirmText = (try? String(contentsOfFile: confirmKey, encoding: .utf8)) ?? ""
        #expect((try? ConfirmationSigner(credential: confirmText)) != nil, "postinst wrote no confirm key into \(confirmKey)")
        for key in [registryKey, confirmKey] {
            let attributes = try FileManager.default.attributesOfItem(atPath: key)
            #expect(attributes[.posixPermissions] as? Int == 0o640, "\(key): \(attributes)")
            #expect(
                attributes[.ownerAccountName] as? String == "root" && attributes[.groupOwnerAccountName] as? String == "mimamori",
                "\(key): \(attributes)")
        }
    }

    /// The Debian package that holds `library` (dpkg knows usr-merged paths by either name).
    static func owningPackage(_ library: String) throws -> String? {
        let real = URL(fileURLWithPath: library).resolvingSymlinksInPath().path
        var candidates = [library, real]
        for path in [library, real] {
            if path.hasPrefix("/usr/lib/") { candidates.append(String(path.dropFirst(4))) }
            if path.hasPrefix("/lib/") { candidates.append("/usr" + path) }
        }
        for candidate in candidates {
            let search = try runProcess("/usr/bin/dpkg", ["-S", candidate])
            if search.status == 0, let package = search.stdout.split(separator: ":").first {
                return String(package)
            }
        }
        return nil
    }

    /// The installed `/usr/bin/mimamorid`, started directly (no systemd here) on a temporary
    /// settings folder against the test broker: it logs daemon.started and stops on SIGTERM.
    func startInstalledDaemon() async throws {
        try await withDaemonRig(cooperators: DaemonFolder.cooperators(email: 2, fax: 1)) { rig in
            let daemon = try rig.startDaemon(executable: "/usr/bin/mimamorid")
            let started = try await daemon.waitForLine(event: "daemon.started")
            #expect(started.contains("email=2") && started.contains("fax=1"), "\(started)")
            daemon.signal(SIGTERM)
            let exit = try await daemon.waitForExit(timeout: .seconds(30))
            #expect(exit == .status(0), "\(exit)\n\(daemon.tail())")
        }
    }
}
