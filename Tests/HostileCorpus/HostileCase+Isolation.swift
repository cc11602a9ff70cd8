import Crypto
import Foundation
import MimamoriCore

extension HostileCase {
    /// The case's messages (prelude, then the message under test) made independent of every other
    /// case's, so that the whole corpus can go through one ledger or one daemon: the case id
    /// `KN-2026-00nn` becomes `KN-H<index>-00nn`, the message ids start with the index instead of
    /// `00000000`, and the municipality `kimino` becomes `municipality`. Every replacement keeps
    /// the length, so the size limits are met or missed exactly as in the corpus.
    ///
    /// A message that carried a valid signature of one of the police keys is signed again over
    /// the new body; any other header (unsigned, forged, a signature over another body) is kept,
    /// so it stays exactly as wrong. Bodies in other encodings keep their bytes (the patterns are
    /// UTF-8): they are refused before their ids could matter.
    public func isolated(index: Int, municipality: String) -> [HostileMessage] {
        precondition((0..<1000).contains(index), "three digits of case index")
        precondition(municipality.utf8.count == 6, "as long as kimino, so that no size changes")
        let replacements: [([UInt8], [UInt8])] = [
            (Array("KN-2026-00".utf8), Array("KN-H\(String(format: "%03d", index))-00".utf8)),
            (Array("00000000-0000-4000-8000-".utf8), Array("\(String(format: "%08d", index))-0000-4000-8000-".utf8)),
            (Array("\"kimino\"".utf8), Array("\"\(municipality)\"".utf8)),
        ]
        return (prelude + [message]).map { original in
            var body = original.body
            for (pattern, replacement) in replacements { Self.replace(pattern, with: replacement, in: &body) }
            guard body != original.body, let key = Self.signingKey(of: original) else {
                return HostileMessage(body: body, headers: original.headers)
            }
            var resigned = HostileCorpus.signed(body, keyID: key.id, with: key.key)
            // Anything beside the two signature headers stays.
            for (name, value) in original.headers where resigned.headers[name] == nil { resigned.headers[name] = value }
            return resigned
        }
    }

    /// The police key whose valid signature `message` carries, if any.
    static func signingKey(of message: HostileMessage) -> (id: String, key: Curve25519.Signing.PrivateKey)? {
        guard let keyID = message.headers[PublisherKeys.keyIDHeader],
            let signature = message.headers[PublisherKeys.signatureHeader].flatMap({ Data(base64Encoded: $0) })
        else { return nil }
        let candidates = [
            (HostileCorpus.trustedKeyID, HostileCorpus.trustedKey), (HostileCorpus.secondKeyID, HostileCorpus.secondKey),
        ]
        for (id, key) in candidates where id == keyID {
            if key.publicKey.isValidSignature(signature, for: message.body) { return (id, key) }
        }
        return nil
    }

    /// Replaces every occurrence of `pattern` (same length as `replacement`) in place.
    static func replace(_ pattern: [UInt8], with replacement: [UInt8], in body: inout [UInt8]) {
        precondition(pattern.count == replacement.count && !pattern.isEmpty)
        let first = pattern[0]
        body.withUnsafeMutableBufferPointer { bytes in
            guard let base = bytes.baseAddress, bytes.count >= pattern.count else { return }
            var offset = 0
            let last = bytes.count - pattern.count
            while offset <= last {
                // memchr keeps the 10 MiB bodies quick in debug builds.
                guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return }
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + at, pattern, pattern.count) == 0 {
                    for (i, byte) in replacement.enumerated() { bytes[at + i] = byte }
                    offset = at + pattern.count
                } else {
                    offset = at + 1
                }
            }
        }
    }
}
