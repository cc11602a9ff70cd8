import Foundation
import TestFixtures
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The metrics endpoint is an aid, never a condition of the daemon's work, and a local client
/// cannot hold it: a taken port, a slow client, an oversized request, a flood of connections,
/// and a non-loopback address in the settings (real mimamorid, broker, SMTP).
@Suite("mimamorid: the metrics endpoint cannot stop or be held (real binary, broker, SMTP)", .serialized)
struct DaemonMetricsEndpointTests {
    @Test("the metrics port is taken: one metrics.unavailable line, and the daemon still delivers a case")
    func portTaken() async throws {
        let cooperators = DaemonFolder.cooperators(email: 2, fax: 0)
        try await withDaemonRig(cooperators: cooperators) { rig in
            let squatter = try RawSocket.listening(port: rig.folder.metricsPort)
            defer { squatter.close() }
            let daemon = try await rig.startConsuming()
            let line = try await daemon.waitForLine(event: "metrics.unavailable")
            #expect(logField("listen", of: line) == "127.0.0.1:\(rig.folder.metricsPort)", "\(line)")
            let sample = DaemonCase(municipality: rig.folder.municipality)
            try await rig.publisher.publish(sample.event("opened", sequence: 1))
            try await rig.waitUntilSettled(sample.caseID, kinds: ["alert"], daemon: daemon)
            #expect(try await rig.states(sample.caseID) == ["alert/delivered": 2])
            #expect(daemon.lines(event: "metrics.unavailable").count == 1)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test(
        "a slow-loris client, an oversized request and a flood of idle connections: /healthz answers others, each is closed by the endpoint"
    )
    func clientsCannotHoldTheEndpoint() async throws {
        try await withDaemonRig(cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
            let daemon = try await rig.startConsuming()
            try await daemon.waitForLine(event: "metrics.listening")
            let port = rig.folder.metricsPort

            // Slow loris: a request begun and never finished.
            let slow = try RawSocket.connected(port: port)
            defer { slow.close() }
            _ = slow.send(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8))
            // An oversized request: 1 MiB of header.
            let big = try RawSocket.connected(port: port)
            defer { big.close() }
            _ = big.send(Array("GET /healthz HTTP/1.1\r\nX-Pad: ".utf8) + [UInt8](repeating: 0x61, count: 1 << 20))
            // Closed by the endpoint after its first few KiB: 431, or a reset when the rest of
            // the megabyte was still unread (the kernel may deliver the reset first).
            let bigAnswer = try #require(big.readToEnd(seconds: 30), "the oversized request was never closed")
            if !bigAnswer.isEmpty {
                #expect(
                    String(decoding: bigAnswer, as: UTF8.self).hasPrefix("HTTP/1.1 431"),
                    "\(String(decoding: bigAnswer.prefix(80), as: UTF8.self))")
            }

            // Others are answered while the slow client still holds its connection.
            let health = try rig.health()
            #expect(health.status == 200 && health.text.hasPrefix("ok"), "\(health)")
            let metrics = try rig.metric("mimamori_broker_connected")
            #expect(metrics == 1)

            // The slow client is closed by the endpoint (408), not kept forever.
            let slowAnswer = try #require(slow.readToEnd(seconds: 30), "the slow client was never closed")
            #expect(String(decoding: slowAnswer, as: UTF8.self).hasPrefix("HTTP/1.1 408"), "\(String(decoding: slowAnswer, as: UTF8.self))")

            // A flood: the connections past the cap are told at once (503 busy) rather than
            // piling up; once the idle ones time out, /healthz answers again.
            var idle: [RawSocket] = []
            defer { for socket in idle { socket.close() } }
            var busy = 0
            for _ in 0..<24 {
                let socket = try RawSocket.connected(port: port)
                idle.append(socket)
            }
            for socket in idle.suffix(8) {
                if let answer = socket.readToEnd(seconds: 30), String(decoding: answer, as: UTF8.self).contains("503") { busy += 1 }
            }
            #expect(busy > 0, "no connection past the cap was refused")
            try await waitUntil("/healthz answers again after the idle connections time out", timeout: .seconds(30), daemon: daemon) {
                (try? rig.health().status) == 200
            }
            #expect(daemon.exitStatus == nil)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(30)) == .status(0), "\(daemon.tail())")
        }
    }

    @Test("check-config refuses a non-loopback metrics.listen unless metrics.allow-remote: true")
    func remoteListenRefused() async throws {
        try await withDaemonRig(cooperators: DaemonFolder.cooperators(email: 1, fax: 0)) { rig in
            let loopback = "metrics: { listen: \"127.0.0.1:\(rig.folder.metricsPort)\" }"
            let settings = try String(contentsOfFile: rig.folder.settingsPath, encoding: .utf8)
            #expect(settings.contains(loopback))
            try settings.replacingOccurrences(of: loopback, with: "metrics: { listen: \"0.0.0.0:\(rig.folder.metricsPort)\" }")
                .write(toFile: rig.folder.settingsPath, atomically: true, encoding: .utf8)
            do {
                let output = try rig.cli(["check-config"])
                Issue.record("check-config accepted 0.0.0.0: \(output)")
            } catch let error as FixtureError {
                #expect("\(error)".contains("metrics.listen") && "\(error)".contains("metrics.allow-remote"), "\(error)")
            }
            // The daemon refuses to start with it too (a settings problem: exit 78).
            let refused = try rig.startDaemon()
            #expect(try await refused.waitForExit(timeout: .seconds(30)) == .status(78), "\(refused.tail())")

            try settings.replacingOccurrences(
                of: loopback, with: "metrics: { listen: \"0.0.0.0:\(rig.folder.metricsPort)\", allow-remote: true }"
            ).write(toFile: rig.folder.settingsPath, atomically: true, encoding: .utf8)
            let checked = try rig.cli(["check-config"])
            #expect(!checked.contains("metrics.listen"), "\(checked)")
        }
    }
}

/// A plain TCP socket for clients the endpoint must survive (curl cannot be slow on purpose).
final class RawSocket: Sendable {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    static func address(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    static func connected(port: Int) throws -> RawSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket: errno \(errno)") }
        var address = address(port)
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok else {
            Glibc.close(fd)
            throw FixtureError("connect 127.0.0.1:\(port): errno \(errno)")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return RawSocket(fd: fd)
    }

    static func listening(port: Int) throws -> RawSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket: errno \(errno)") }
        var address = address(port)
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok, listen(fd, 4) == 0 else {
            Glibc.close(fd)
            throw FixtureError("listen 127.0.0.1:\(port): errno \(errno)")
        }
        return RawSocket(fd: fd)
    }

    /// False when the peer closed or reset the connection before taking everything.
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// Everything until the peer closes; nil if it does not within `seconds`.
    func readToEnd(seconds: Int) -> [UInt8]? {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                received += buffer[..<n]
            } else if n == 0 || errno == ECONNRESET {
                return received
            } else {
                return nil
            }
        }
    }

    func close() { Glibc.close(fd) }
}
