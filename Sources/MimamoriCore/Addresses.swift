/// Checks and normal forms for the two kinds of address a cooperator has.
public enum Addresses {
    /// A plain `local@domain` address (no display name, no comments), trimmed. Deliberately
    /// stricter than RFC 5322: volunteers' addresses from a spreadsheet, not arbitrary mail.
    public static func normalisedEmail(_ text: String) -> String? {
        let email = halfWidth(text).trimmingBlanks()
        // Everything that can pass is ASCII (any other byte fails the checks below), so the
        // checks run on bytes: a character walk here was a fifth of the daemon's start.
        let bytes = Array(email.utf8)
        let at = UInt8(ascii: "@")
        let dot = UInt8(ascii: ".")
        let dash = UInt8(ascii: "-")
        guard bytes.count <= 254, let split = bytes.firstIndex(of: at), !bytes[(split + 1)...].contains(at) else { return nil }
        let local = bytes[..<split]
        let domain = bytes[(split + 1)...]
        guard !local.isEmpty, local.count <= 64, local.allSatisfy({ localAllowed[Int($0)] }),
            local.first != dot, local.last != dot, !zip(local, local.dropFirst()).contains(where: { $0 == dot && $1 == dot })
        else { return nil }
        let labels = domain.split(separator: dot, omittingEmptySubsequences: false)
        guard labels.count >= 2,
            labels.allSatisfy({ label in
                !label.isEmpty && label.count <= 63 && label.first != dash && label.last != dash
                    && label.allSatisfy { domainAllowed[Int($0)] }
            })
        else { return nil }
        return email
    }

    /// A Japanese FAX number in E.164 (`+81734899960`), from `073-489-9960`, `(073)489-9960`,
    /// full-width `０７３－４８９－９９６０` or `+81 73 489 9960`. Domestic numbers have 10 digits
    /// with the leading 0 (fixed lines; 11 for 050/070/080/090 numbers, which cannot take a FAX
    /// gateway call but are accepted as written).
    public static func normalisedFaxNumber(_ text: String) -> String? {
        let plain = halfWidth(text)
        var digits = ""
        var plus = false
        for (i, c) in plain.enumerated() {
            if c.isASCII, c.isNumber {
                digits.append(c)
            } else if c == "+", i == 0 {
                plus = true
            } else if !" -()‐−".contains(c) {
                return nil
            }
        }
        var national: Substring
        if plus {
            guard digits.hasPrefix("81") else { return nil }
            national = digits.dropFirst(2)
            if national.hasPrefix("0") { national = national.dropFirst() }  // "+81 (0)73 …"
        } else {
            guard digits.hasPrefix("0"), !digits.hasPrefix("00") else { return nil }
            national = digits.dropFirst()
        }
        guard (9...10).contains(national.count), !national.hasPrefix("0") else { return nil }
        return "+81" + national
    }

    /// Full-width digits, letters and signs (０-９, ＠, －, ＋…) to their ASCII forms.
    /// The bytes allowed in the local part (before `@`).
    private static let localAllowed: [Bool] = (0..<256).map { byte in
        byte < 0x80 && "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-".utf8.contains(UInt8(byte))
    }

    /// The bytes allowed in a domain label: ASCII letters, digits and `-`.
    private static let domainAllowed: [Bool] = (0..<256).map { byte in
        byte < 0x80 && "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-".utf8.contains(UInt8(byte))
    }

    static func halfWidth(_ text: String) -> String {
        // Only non-ASCII characters change: plain ASCII (nearly every address) is returned as is.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        return String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { s in
                    if (0xFF01...0xFF5E).contains(s.value) { return Unicode.Scalar(s.value - 0xFEE0)! }
                    if s.value == 0x3000 { return " " }
                    if s.value == 0x2212 || s.value == 0x2010 || s.value == 0x2015 || s.value == 0x30FC { return "-" }
                    return s
                }))
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespaces)` (Unicode Zs and TAB at either end), returning the
    /// string itself, without Foundation's trip through NSString, when neither end is blank: a
    /// 10,000-line cooperators.csv has 70,000 fields to trim and almost none needs it (that trip
    /// was a quarter of the daemon's start).
    func trimmingBlanks() -> String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return self }
        if !first.isBlank && !last.isBlank { return self }
        return trimmingCharacters(in: .whitespaces)
    }
}

extension Unicode.Scalar {
    /// In `CharacterSet.whitespaces`: general category Zs, or CHARACTER TABULATION.
    fileprivate var isBlank: Bool {
        if value < 0x80 { return value == 0x20 || value == 0x09 }
        return properties.generalCategory == .spaceSeparator
    }
}
