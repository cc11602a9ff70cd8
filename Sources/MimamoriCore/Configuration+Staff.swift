import Yams

extension Configuration {
    /// `staff:` (design 5a): the town's health-and-welfare staff, who act on a case rather than
    /// on the service: open-case alarms and held stale events go to them, delivery and broker
    /// alarms to the operator.
    public struct Staff: Sendable, Hashable {
        /// One or more addresses (`email: sos@town.example.jp` or a list).
        public var emails: [String] = []
        /// Optional; kept for the notices that will go to staff by FAX.
        public var fax: String?
        public init() {}
    }

    /// Where a staff alarm goes: the staff's addresses, or the operator's alarm address when no
    /// `staff:` is configured (check-config warns about it), or nowhere.
    public var staffAlarmRecipients: [String] {
        if !staff.emails.isEmpty { return staff.emails }
        return self.operator.alarmEmail.map { [$0] } ?? []
    }

    /// Personal data must not go out of the ledger faster than a destruction reminder can be
    /// sent (the next business morning) or a staff member can look at a case.
    public static let minimumRetention: Duration = .seconds(86400)
}

extension SettingsReader {
    /// `retention: 30d` (a duration, as design 3.3 writes it) and the top-level
    /// `open-case-alarm: 14d` (design 5a: related limits are their own keys).
    mutating func retentionLimits(_ map: [String: Node], into c: inout Configuration) {
        if let v = duration(map["retention"], "retention") {
            if v < Configuration.minimumRetention {
                problem("retention", "must be at least 1d: a shorter one purges a case before its destruction reminder is sent")
            }
            c.retention = v
        }
        if let v = duration(map["open-case-alarm"], "open-case-alarm") {
            if v < Configuration.minimumRetention { problem("open-case-alarm", "must be at least 1d") }
            c.openCaseAlarm = v
        }
    }

    mutating func staff(_ node: Node?) -> Configuration.Staff? {
        guard let s = mapping(node, "staff", allowed: ["email", "fax"]) else { return nil }
        var staff = Configuration.Staff()
        let emails = oneOrMany(s["email"], "staff.email")
        for (index, email) in emails.enumerated() where Addresses.normalisedEmail(email) == nil {
            problem(emails.count == 1 ? "staff.email" : "staff.email[\(index)]", "not an email address")
        }
        staff.emails = emails
        if let fax = string(s["fax"], "staff.fax") {
            if Addresses.normalisedFaxNumber(fax) == nil { problem("staff.fax", "not a Japanese FAX number (e.g. 073-489-9960)") }
            staff.fax = fax
        }
        if staff.emails.isEmpty { problem("staff.email", "required: at least one address of the staff") }
        return staff
    }
}

extension Configuration {
    /// Settings that work but that an operator should know about: check-config prints them, the
    /// daemon logs them at every start (`event` is the journal line's name).
    public var startWarnings: [(event: String, reason: String)] {
        var warnings: [(String, String)] = []
        if !publishers.requireSignature {
            warnings.append(
                (
                    "settings.unsigned-accepted",
                    "publishers.require-signature is false: unsigned and forged events are accepted and sent to cooperators"
                ))
        }
        if staff.emails.isEmpty {
            warnings.append(
                (
                    "settings.no-staff",
                    "no staff: section: open-case alarms and held stale events go to operator.alarm-email (\(self.operator.alarmEmail ?? "not set either: the journal only"))"
                ))
        }
        if registry != nil, staff.emails.isEmpty, self.operator.alarmEmail == nil {
            warnings.append(
                (
                    "settings.registry-unreminded",
                    "registry: is on but neither staff.email nor operator.alarm-email is set: the yearly reconfirmation list goes to the journal only (as counts)"
                ))
        }
        if confirm == nil, reminders.secondAfterGiven, reminders.secondAfter > 0 {
            warnings.append(
                (
                    "settings.second-reminder-off",
                    "reminders.second-after is set but confirm: is not: without confirmation codes nobody can say they destroyed the papers, so no second destruction reminder goes"
                ))
        }
        return warnings + (concerns?.warnings ?? [])
    }

    /// The same, as check-config prints them.
    public var settingsWarnings: [String] { startWarnings.map { "\($0.event): \($0.reason)" } }
}
