import Foundation

/// Header lines that carry text: RFC 2047 encoded words for non-ASCII phrases and subjects,
/// RFC 2231 parameters for non-ASCII file names, folded so no line exceeds 76 octets (the limit
/// RFC 2047 sets for lines holding encoded words).
enum HeaderField {
    static let lineLimit = 76
    /// RFC 2047 2: an encoded word is at most 75 characters.
    static let encodedWordLimit = 75

    /// A subject or other free text.
    static func unstructured(name: String, _ text: String) -> [String] {
        // The scan first: Foundation's replacing costs more than the rest of a header, and a
        // FAX through a mail gateway builds its headers for every number.
        let flat =
            !hasLineBreak(text)
            ? text
            : text.replacingOccurrences(of: "\r\n", with: " ")
                .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        let words = flat.split(separator: " ").map(String.init)
        let plain =
            flat.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f } && !flat.contains("=?")
            && !flat.contains("  ") && !flat.hasPrefix(" ") && !flat.hasSuffix(" ")
            && words.allSatisfy { $0.utf8.count <= lineLimit - 2 }
        if plain { return fold(name: name, words) }
        return fold(name: name, encodedWords(flat, firstLineUsed: name.utf8.count + 2))
    }

    static func hasLineBreak(_ text: String) -> Bool {
        text.utf8.contains { $0 == 0x0D || $0 == 0x0A }
    }

    /// `Display Name <address>`, the name encoded when it is not plain ASCII.
    static func mailbox(name: String, _ mailbox: EmailAddress) -> [String] {
        let address = "<\(mailbox.address)>"
        guard let display = mailbox.displayName, !display.isEmpty else {
            return [name + ": " + mailbox.address]
        }
        let flat =
            !hasLineBreak(display)
            ? display : display.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if flat.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) && !flat.contains("=?") {
            let escaped =
                !flat.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") })
                ? flat
                : flat.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return fold(name: name, ["\"\(escaped)\"", address])
        }
        return fold(name: name, encodedWords(flat, firstLineUsed: name.utf8.count + 2) + [address])
    }

    /// `Content-Disposition: attachment; filename…`, RFC 2231 `filename*=UTF-8''…` (split into
    /// `filename*0*`, `filename*1*`, … when long) for names that are not plain ASCII.
    static func disposition(filename: String) -> [String] {
        let name = "Content-Disposition"
        let quotable = filename.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f && $0 != 0x22 && $0 != 0x5c }
        if quotable && filename.utf8.count <= 60 {
            return fold(name: name, ["attachment;", "filename=\"\(filename)\""])
        }
        var encoded: [String] = []  // one element per octet, never split a %XX triplet
        for byte in filename.utf8 {
            let attrChar = MIMEMessage.isAlphanumeric(byte) || "!#$&+-.^_`|~".utf8.contains(byte)
            encoded.append(attrChar ? String(Unicode.Scalar(byte)) : "%" + MIMEMessage.hex(byte))
        }
        let value = "UTF-8''" + encoded.joined()
        if value.utf8.count <= 55 {
            return fold(name: name, ["attachment;", "filename*=\(value)"])
        }
        var segments: [String] = []
        var current = "UTF-8''"
        for piece in encoded {
            if current.utf8.count + piece.utf8.count > 50 {
                segments.append(current)
                current = ""
            }
            current += piece
        }
        segments.append(current)
        var tokens = ["attachment;"]
        for (index, segment) in segments.enumerated() {
            let last = index == segments.count - 1
            tokens.append("filename*\(index)*=\(segment)" + (last ? "" : ";"))
        }
        return fold(name: name, tokens)
    }

    /// Places tokens on lines of at most 76 octets, folding (CRLF SP) between tokens; a token is
    /// never broken. The first token always stays on the header's own line.
    static func fold(name: String, _ tokens: [String]) -> [String] {
        var lines: [String] = []
        var current = name + ":"
        var first = true
        for token in tokens {
            if !first && current.utf8.count + 1 + token.utf8.count > lineLimit {
                lines.append(current)
                current = " " + token
            } else {
                current += " " + token
            }
            first = false
        }
        lines.append(current)
        return lines
    }

    /// `=?UTF-8?B?…?=` words, each ≤ 75 characters and each holding whole characters (a
    /// grapheme is never split across words, as RFC 2047 5 requires for multi-octet charsets).
    /// The first word is shorter so that it fits on the header's line after `Name: `.
    static func encodedWords(_ text: String, firstLineUsed: Int) -> [String] {
        var words: [String] = []
        var budget = min(encodedWordLimit, lineLimit - firstLineUsed)
        var chunk: [UInt8] = []
        func length(_ octets: Int) -> Int { 12 + (octets + 2) / 3 * 4 }  // "=?UTF-8?B?" + "?="
        for character in text {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && length(chunk.count + bytes.count) > budget {
                words.append(encode(chunk))
                chunk = []
                budget = min(encodedWordLimit, lineLimit - 1)
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encode(chunk)) }
        return words
    }

    private static func encode(_ octets: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(octets).base64EncodedString() + "?="
    }
}
