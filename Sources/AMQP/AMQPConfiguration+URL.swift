/// Parsing `amqp://user:password@host:port/vhost?heartbeat=30&prefetch=64` (RabbitMQ's URI
/// spec: an empty path is vhost `/`, `%2F` is how to spell `/` in the path).
extension AMQPConfiguration {
    /// - Parameters:
    ///   - url: `amqp://` or `amqps://`. Query keys: `heartbeat`, `prefetch`, `frame_max`,
    ///     `connection_timeout` (ms), `cacertfile`, `certfile`, `keyfile`, `verify`
    ///     (`verify_peer`/`verify_none`), `server_name_indication` is not supported.
    ///   - password: overrides the URL's password (read from a credential file).
    ///   - tls: overrides TLS file settings for `amqps` URLs.
    public init(url: String, password: String? = nil, tls: TLS? = nil) throws(AMQPError) {
        func invalid(_ why: String) -> AMQPError {
            AMQPError(.invalidConfiguration, "broker URL: \(why)")
        }
        let scheme: String
        var rest: Substring
        if url.hasPrefix("amqp://") {
            scheme = "amqp"
            rest = url.dropFirst("amqp://".count)
        } else if url.hasPrefix("amqps://") {
            scheme = "amqps"
            rest = url.dropFirst("amqps://".count)
        } else {
            throw invalid("must start with amqp:// or amqps://")
        }

        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var path: Substring? = nil
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var userInfo: Substring? = nil
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }

        var host: String
        var port: Int? = nil
        if rest.hasPrefix("[") {  // IPv6 literal
            guard let close = rest.firstIndex(of: "]") else { throw invalid("unclosed [ in host") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()) else { throw invalid("port is not a number") }
                port = p
            } else if !after.isEmpty {
                throw invalid("unexpected text after host")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let p = Int(rest[rest.index(after: colon)...]) else {
                throw invalid("port is not a number")
            }
            port = p
        } else {
            host = String(rest)
        }
        guard let decodedHost = Self.percentDecode(host) else { throw invalid("bad %-escape in host") }
        host = decodedHost.isEmpty ? "localhost" : decodedHost
        if let p = port, !(1...65535).contains(p) { throw invalid("port \(p) out of range") }

        // No user info at all: RabbitMQ's defaults. A user without a password: empty password
        // (the usual case when the password comes from a credential file).
        var user = "guest"
        var urlPassword = "guest"
        if let userInfo {
            urlPassword = ""
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let u = Self.percentDecode(parts[0]) else { throw invalid("bad %-escape in user") }
            user = u
            if parts.count > 1 {
                guard let p = Self.percentDecode(parts[1]) else {
                    throw invalid("bad %-escape in password")
                }
                urlPassword = p
            }
        }

        var vhost = "/"
        if let path, !path.isEmpty {
            guard !path.contains("/") else { throw invalid("vhost must be one segment; write / as %2F") }
            guard let v = Self.percentDecode(path) else { throw invalid("bad %-escape in vhost") }
            vhost = v
        }

        var tlsSettings: TLS? = scheme == "amqps" ? (tls ?? TLS()) : nil
        self.init(
            host: host, port: port, virtualHost: vhost, user: user,
            password: password ?? urlPassword, tls: tlsSettings)

        for item in query.split(separator: "&") where !item.isEmpty {
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0])
            guard let value = Self.percentDecode(kv.count > 1 ? kv[1] : "") else {
                throw invalid("bad %-escape in \(key)")
            }
            func number(_ range: ClosedRange<Int>) throws(AMQPError) -> Int {
                guard let n = Int(value), range.contains(n) else {
                    throw invalid("\(key)=\(value) must be a number in \(range)")
                }
                return n
            }
            switch key {
            case "heartbeat": heartbeat = try number(0...3600)
            case "prefetch": prefetch = UInt16(try number(0...65535))
            case "frame_max": frameMax = try number(4096...1_048_576)
            case "connection_timeout": connectTimeout = .milliseconds(try number(1...600_000))
            case "cacertfile", "certfile", "keyfile", "verify":
                guard tlsSettings != nil else { throw invalid("\(key) needs an amqps:// URL") }
                switch key {
                case "cacertfile": tlsSettings?.caFile = value
                case "certfile": tlsSettings?.certificateFile = value
                case "keyfile": tlsSettings?.keyFile = value
                default:
                    guard value == "verify_peer" || value == "verify_none" else {
                        throw invalid("verify must be verify_peer or verify_none")
                    }
                    tlsSettings?.verifyPeer = value == "verify_peer"
                    tlsSettings?.verifyHostname = value == "verify_peer"
                }
            case "auth_mechanism":
                switch value.uppercased() {
                case "PLAIN": authentication = .plain
                case "EXTERNAL": authentication = .external
                default: throw invalid("auth_mechanism must be PLAIN or EXTERNAL")
                }
            default: throw invalid("unknown query parameter \(key)")
            }
        }
        self.tls = tlsSettings
        if let t = tlsSettings, (t.certificateFile == nil) != (t.keyFile == nil) {
            throw invalid("a client certificate needs both certfile and keyfile")
        }
    }

    static func percentDecode<S: StringProtocol>(_ text: S) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let hi = iterator.next().flatMap(Self.hexValue),
                    let lo = iterator.next().flatMap(Self.hexValue)
                else { return nil }
                bytes.append(hi << 4 | lo)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
