import Foundation

/// Renders notices from the templates. Pure: the time the notice is dated is passed in.
public struct NoticeRenderer: Sendable {
    public var templates: NoticeTemplates
    public var town: Configuration.Town
    /// Where the radio script's kana readings come from (the town's and its areas').
    public var readings: RadioReadings
    /// Whether notices carry confirmation codes (`confirm:`): the reminder's words then ask for
    /// the 処分しました the band beside them offers, instead of "nothing to do".
    public var confirmations = false
    /// This town's municipality id and its partners' names (`partners:`): a partner's case
    /// says where the person went missing, and whose area the residence is (a Kainan shop does
    /// not know that 野上 is in Kimino). Empty: every case is the town's own.
    public var municipality: String?
    public var partnerNames: [String: String] = [:]

    /// `areas`: the town's tree, whose readings the radio script uses; nil: the town's own
    /// reading only.
    public init(templates: NoticeTemplates = .builtIn, town: Configuration.Town, areas: AreaTree? = nil) {
        self.templates = templates
        self.town = town
        var tree = areas ?? AreaTree(root: town.name)
        if let reading = town.reading { tree.setRootReading(reading) }
        self.readings = RadioReadings(tree)
    }

    /// An alert or an update: the person's description from the (full-state) event.
    /// `photo` is what the planner decided to attach (nil without consent).
    public func description(
        _ kind: NoticeKind, event: CaseEvent, photo: CaseEvent.Photo?, sentAt: Date
    ) -> RenderedNotice {
        precondition(kind == .alert || kind == .update, "only alerts and updates describe the person")
        var context = common(caseID: event.caseID, drill: event.drill, sentAt: sentAt)
        let origin = originTown(of: event)
        if let origin { context["originTown"] = origin }
        if let person = event.person {
            var p: [String: Any] = [
                "name": person.name, "kana": person.nameKana, "age": person.age,
                "ageSex": "\(person.age)歳" + (Self.sexLabel(person.sex).map { "・\($0)" } ?? ""),
                "sexSpoken": Self.sexLabel(person.sex) ?? "方",
            ]
            let heightBuild = [person.heightCm.map { "\($0)cm" }, person.build].compactMap { $0 }
            if !heightBuild.isEmpty { p["heightBuild"] = heightBuild.joined(separator: "・") }
            if let hair = person.hair { p["hair"] = hair }
            if !person.features.isEmpty { p["features"] = person.features.joined(separator: "、") }
            if let area = person.residenceArea {
                p["residenceArea"] = origin.map { area.hasPrefix($0) ? area : "\($0) \(area)" } ?? area
            }
            // Short sentences, as an announcer reads them: 身長は150センチくらいで、やせ型です。
            var spoken = ""
            switch (person.heightCm, person.build) {
            case (let h?, let b?): spoken += "身長は\(h)センチくらいで、\(b)です。"
            case (let h?, nil): spoken += "身長は\(h)センチくらいです。"
            case (nil, let b?): spoken += "体格は、\(b)です。"
            case (nil, nil): break
            }
            if let hair = person.hair { spoken += "髪は、\(hair)です。" }
            if !spoken.isEmpty { p["descriptionSpoken"] = spoken }
            context["person"] = p
        }
        if !event.clothing.isEmpty {
            context["clothing"] = event.clothing.joined(separator: "、")
            context["clothingSpoken"] = "服装は、" + event.clothing.joined(separator: "、") + "です。"
        }
        if !event.belongings.isEmpty { context["belongings"] = event.belongings.joined(separator: "、") }
        // A registration's よく行く場所, for the email and the FAX; the radio templates leave it out.
        if let places = event.registryAdditions?.frequentedPlaces, !places.isEmpty {
            context["frequentedPlaces"] = places.map { place in place.area.map { "\(place.name)（\($0)）" } ?? place.name }
                .joined(separator: "、")
        }
        if let seen = event.lastSeen {
            var s: [String: Any] = [
                "when": JapaneseDateFormat.dateTime(seen.at) + "頃",
                "whenSpoken": JapaneseDateFormat.spokenDateTime(seen.at),
                "place": seen.place,
            ]
            if let direction = seen.direction { s["direction"] = direction }
            context["lastSeen"] = s
        }
        if let contact = event.contact {
            context["contact"] = [
                "organization": contact.organization, "phone": contact.phone,
                "phoneSpoken": JapaneseDateFormat.spokenPhone(contact.phone),
            ]
        }
        context["photoAttached"] = photo != nil
        // Consented, but the intake's check left it out: the notice says so, so nobody waits for it.
        context["photoLeftOut"] = photo == nil && event.consent.photo && event.photoLeftOut != nil
        return notice(kind, caseID: event.caseID, revision: event.sequence, drill: event.drill, context, photo: photo)
    }

    /// 発見支援終結の連絡 (Article 11): the case reference and the date of the first request,
    /// never the outcome.
    public func termination(caseID: CaseID, revision: Int, drill: Bool, firstNoticeAt: Date, sentAt: Date) -> RenderedNotice {
        var context = common(caseID: caseID, drill: drill, sentAt: sentAt)
        context["firstNoticeDate"] = JapaneseDateFormat.date(firstNoticeAt)
        context["firstNoticeDateSpoken"] = JapaneseDateFormat.spokenDate(firstNoticeAt)
        return notice(.termination, caseID: caseID, revision: revision, drill: drill, context, photo: nil)
    }

    /// The reminder to destroy documents (Article 11-3): the case reference and dates only.
    public func destructionReminder(
        caseID: CaseID, revision: Int, drill: Bool, documentsFrom: Date, documentsTo: Date, terminatedAt: Date,
        sentAt: Date
    ) -> RenderedNotice {
        var context = common(caseID: caseID, drill: drill, sentAt: sentAt)
        context["documentsDates"] = JapaneseDateFormat.dateRange(documentsFrom, documentsTo)
        context["terminationDate"] = JapaneseDateFormat.date(terminatedAt)
        return notice(.destructionReminder, caseID: caseID, revision: revision, drill: drill, context, photo: nil)
    }

    /// The second reminder to destroy documents (Article 11-3), to those who have not said they
    /// did: the case reference and dates only, as the first.
    public func destructionSecondReminder(
        caseID: CaseID, revision: Int, drill: Bool, documentsFrom: Date, documentsTo: Date, terminatedAt: Date,
        firstReminderAt: Date, sentAt: Date
    ) -> RenderedNotice {
        var context = common(caseID: caseID, drill: drill, sentAt: sentAt)
        context["documentsDates"] = JapaneseDateFormat.dateRange(documentsFrom, documentsTo)
        context["terminationDate"] = JapaneseDateFormat.date(terminatedAt)
        context["firstReminderDate"] = JapaneseDateFormat.date(firstReminderAt)
        return notice(.destructionSecondReminder, caseID: caseID, revision: revision, drill: drill, context, photo: nil)
    }

    static func sexLabel(_ sex: CaseEvent.Person.Sex) -> String? {
        switch sex {
        case .male: "男性"
        case .female: "女性"
        case .other, .unknown: nil
        }
    }

    /// The partner town a case comes from, by its name in `partners:` (its id without one);
    /// nil for the town's own cases.
    public func originTown(of event: CaseEvent) -> String? {
        guard let municipality, event.municipality != municipality else { return nil }
        return partnerNames[event.municipality] ?? event.municipality
    }

    func common(caseID: CaseID, drill: Bool, sentAt: Date) -> [String: Any] {
        let mark = drillMark(drill: drill)
        return [
            "drill": drill,
            "mark": mark?.mark ?? "",
            "drillSpoken": mark?.spoken ?? "",
            "drillBanner": mark?.banner ?? "",
            "caseRef": caseID.rawValue,
            "confirm": confirmations,
            "sentAt": JapaneseDateFormat.dateTime(sentAt),
            "town": [
                "name": town.name, "department": town.department, "head": town.head, "phone": town.phone, "kind": town.kind,
            ].merging(town.network.map { ["network": $0] } ?? [:]) { a, _ in a },
            "cite": [
                "article11": town.regulation.map { "（\($0)第11条第3項）" } ?? "",
                "article14": town.regulation.map { "（\($0)第14条）" } ?? "",
            ],
        ]
    }

    func notice(
        _ kind: NoticeKind, caseID: CaseID, revision: Int, drill: Bool, _ context: [String: Any], photo: CaseEvent.Photo?
    ) -> RenderedNotice {
        func text(_ part: NoticeTemplates.Part) -> String { templates.render(kind, part, context) ?? "" }
        let subject = text(.emailSubject).split(whereSeparator: \.isNewline).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        let radio = !kind.isBroadcast ? nil : RenderedNotice.RadioScript(text: Self.tidy(readings.spoken(text(.radio))))
        return RenderedNotice(
            caseID: caseID, revision: revision, kind: kind, drill: drill,
            email: .init(subject: subject, body: Self.tidy(text(.emailBody))),
            fax: Self.faxPage(text(.fax), photoAttached: photo != nil),
            radio: radio, photo: photo)
    }

    /// Trailing spaces off, runs of blank lines to one, one final newline: an overridden template
    /// with sloppy spacing still gives a tidy notice. A template saved with Windows line endings
    /// gets the same: every CR is dropped before the lines are cut. In bytes (UTF-8 never has
    /// a space, CR or LF inside a character): it runs over every notice of every intake.
    static func tidy(_ text: String) -> String {
        let bytes = Array(text.utf8.lazy.filter { $0 != 0x0D })
        var lines: [ArraySlice<UInt8>] = []
        for var line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            while line.last == 0x20 { line.removeLast() }
            if line.isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 1)
        for (index, line) in lines.enumerated() {
            if index > 0 { out.append(0x0A) }
            out += line
        }
        out.append(0x0A)
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads the FAX line format (see `NoticeTemplates`).
    static func faxPage(_ text: String, photoAttached: Bool) -> RenderedNotice.FaxPage {
        var title = ""
        var lead: [String] = []
        var rows: [RenderedNotice.FaxPage.Row] = []
        var paragraphs: [String] = []
        var callout: [String] = []
        var banner: String?
        var alignments: [RenderedNotice.FaxPage.Alignment] = []
        var current: [String] = []
        func flush() {
            guard !current.isEmpty else { return }
            if rows.isEmpty {
                lead.append(current.joined(separator: "\n"))
                alignments.append(.left)
            } else {
                paragraphs.append(current.joined(separator: "\n"))
            }
            current = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if title.isEmpty, line.hasPrefix("# ") {
                title = String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("| "), let bar = line.dropFirst(2).range(of: " | ") {
                flush()
                let rest = line.dropFirst(2)
                let label = rest[..<bar.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = rest[bar.upperBound...].trimmingCharacters(in: .whitespaces)
                rows.append(.init(label: label, value: value))
            } else if banner == nil, line.hasPrefix("! ") {
                banner = String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("> ") || line == ">" {
                flush()
                callout.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
            } else if rows.isEmpty, line.hasPrefix("=> ") || line.hasPrefix("== ") {
                flush()
                lead.append(String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces))
                alignments.append(line.hasPrefix("=> ") ? .right : .centre)
            } else if line.isEmpty {
                flush()
            } else {
                current.append(line)
            }
        }
        flush()
        return RenderedNotice.FaxPage(
            title: title, lead: lead, rows: rows, paragraphs: paragraphs, photoAttached: photoAttached,
            callout: callout.isEmpty ? nil : callout.joined(separator: "\n"), banner: banner,
            leadAlignments: alignments.contains { $0 != .left } ? alignments : nil)
    }
}
