extension Configuration {
    /// A key a reload found changed but cannot apply in full while the daemon runs.
    public struct RestartNeeded: Sendable, Hashable, CustomStringConvertible {
        public var key: String
        /// What keeps the running value until a restart.
        public var reason: String
        public var description: String { "\(key): \(reason)" }
    }

    /// What a reload can take from `file` while the daemon runs with `running`: the settings to
    /// apply, and the keys whose new value needs a restart (they keep the running value, so an
    /// edit made together with them, a new cooperators.csv say, is not lost with them).
    ///
    /// Live: the town's names, areas, the directory and templates (read anew), publisher keys
    /// and signature policy, quiet hours, reminders, retention, the retry policy, `email.rate`. For a restart:
    /// what names the queue, the connections and the outlets, which are built once at start.
    public func reloaded(from file: Configuration) -> (applied: Configuration, restartNeeded: [RestartNeeded]) {
        var applied = file
        var keys: [RestartNeeded] = []
        let kept = "the running value stays until a restart"
        func keep<Value: Equatable>(_ key: String, _ path: WritableKeyPath<Configuration, Value>) {
            guard file[keyPath: path] != self[keyPath: path] else { return }
            applied[keyPath: path] = self[keyPath: path]
            keys.append(RestartNeeded(key: key, reason: kept))
        }
        keep("municipality", \.municipality)
        keep("broker.url", \.broker.url)
        keep("broker.urls", \.broker.otherURLs)
        keep("broker.prefetch", \.broker.prefetch)
        keep("broker.heartbeat", \.broker.heartbeat)
        keep("ledger.path", \.ledger.path)
        keep("ledger.url", \.ledger.url)
        keep("email.smtp", \.email.smtp)
        keep("email.from", \.email.from)
        keep("email.sessions", \.email.sessions)
        keep("fax", \.fax)
        keep("operator.alarm-email", \.operator.alarmEmail)
        keep("metrics.listen", \.metrics.listen)
        // The codes are signed and the endpoint listens from the start on.
        keep("confirm", \.confirm)
        // A partner's forwarding queue is declared at start, and the intake's town check with it.
        keep("partners", \.partners)
        keep("partners", \.partnerNames)
        switch (radio, file.radio) {
        case (nil, nil):
            break
        case (nil, .some), (.some, nil):
            // Adding or removing the radio outlet: the plans of the running outlets stay.
            applied.radio = radio
            keys.append(RestartNeeded(key: "radio", reason: "adding or removing the radio outlet needs a restart"))
        case (.some(let old), .some(let new)):
            // Quiet hours are the planner's and apply at once; the gateway and spool are the outlet's.
            var outlet = new
            outlet.capURL = old.capURL
            outlet.spool = old.spool
            outlet.ttsCommand = old.ttsCommand
            outlet.capExpires = old.capExpires
            applied.radio = outlet
            if new.capURL != old.capURL { keys.append(RestartNeeded(key: "radio.cap-url", reason: kept)) }
            if new.spool != old.spool { keys.append(RestartNeeded(key: "radio.spool", reason: kept)) }
            if new.ttsCommand != old.ttsCommand { keys.append(RestartNeeded(key: "radio.tts-command", reason: kept)) }
            if new.capExpires != old.capExpires { keys.append(RestartNeeded(key: "radio.cap-expires", reason: kept)) }
        }
        // The notices take the town's names at once; the outlets were built with them.
        for (key, changed) in [
            ("town.name", town.name != file.town.name), ("town.department", town.department != file.town.department),
            ("town.phone", town.phone != file.town.phone),
        ] where changed {
            keys.append(
                RestartNeeded(
                    key: key,
                    reason: "notices use the new value now; the radio's CAP sender, the FAX gateway subject and alarm mails after a restart"
                ))
        }
        return (applied, keys)
    }
}
