/// Checks and normal forms for the two kinds of address a cooperator has.
public enum Addresses {
    /// A plain `local@domain` address (no display name, no comments), trimmed. Deliberately
    /// stricter than RFC 5322: volunteers' addresses from a spreadsheet, not arbitrary mail.
    public static func normalisedEmail(_ text: String) -> String? {
        let email = halfWidth(text).trimmingCharacters(in: .whitespaces)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, email.utf8.count <= 254 else { return nil }
        let local = parts[0]
        let domain = parts[1]
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
        guard !local.isEmpty, local.count <= 64, local.allSatisfy(localAllowed.contains),
            !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else { return nil }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2,
            labels.allSatisfy({ label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
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
    static func halfWidth(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { s in
            if (0xFF01...0xFF5E).contains(s.value) { return Unicode.Scalar(s.value - 0xFEE0)! }
            if s.value == 0x3000 { return " " }
            if s.value == 0x2212 || s.value == 0x2010 || s.value == 0x2015 || s.value == 0x30FC { return "-" }
            return s
        }))
    }
}
