import Foundation
import KalladCore

/// Turns YAML documents into a `Registry`, reporting every problem to the sink.
final class RegistryReader {
    let sink: DiagnosticSink
    var settings = Settings()
    var parties: [Party] = []
    var areas: [Area] = []
    var people: [Person] = []
    /// In the order they are declared: an office's place here is its place in `declared["office"]`
    /// (`officePlace`).
    var offices: [Office] = []
    var bodies: [Body] = []
    var changes: [OverlayChange] = []
    /// Where each id was first declared, per kind, for duplicate reports.
    var declared = DeclaredIDs()
    /// Raw body documents, read after everything they refer to.
    var bodyCursors: [YAMLCursor] = []
    var changeCursors: [YAMLCursor] = []
    var settingsSeen: SourceLocation?
    /// Body ids named under `settings.service`, checked after the bodies are read.
    var serviceBodyReferences: [YAMLCursor] = []
    /// The id of the body declared last, to undo a body read too early.
    var lastDeclaredBody: String?
    /// Rule texts already parsed: a national registry repeats a few dozen rules thousands of times.
    var parsedRules: [String: Result<RecurrenceRule, RecurrenceError>] = [:]
    /// What `RecurrenceSet.validate` found for a rule text and DTSTART (`nil`: nothing wrong).
    var validatedStarts: [ValidatedStart: RecurrenceError?] = [:]

    /// A rule text and DTSTART, whose recurrence sets all validate alike.
    struct ValidatedStart: Hashable {
        let rule: String
        let start: LocalDateTime
    }

    /// The top-level key that lists ids of a kind, where it is not the kind with an `s`.
    static let listKey = ["person": "people", "body": "bodies", "party": "parties"]
    static let topLevelKeys = ["settings", "parties", "areas", "people", "offices", "bodies", "changes", "receivers"]
    var receivers: [ReceiverSettings] = []
    static let personKeys = ["id", "name", "email", "handles"]
    static let requiredPersonKeys = ["id", "name", "email"]
    static let officeKeys = ["id", "title", "party", "holder", "area", "roles"]
    static let requiredOfficeKeys = ["id", "title", "party", "holder"]
    static let partyKeys = ["id", "name", "kind", "part_of", "area"]
    static let requiredPartyKeys = ["id", "name", "kind"]

    init(sink: DiagnosticSink) { self.sink = sink }

    /// Records an id; reports a duplicate with the first place it was declared.
    func declare(_ id: String, kind: String, at location: SourceLocation) -> Bool {
        // One look-up of the id: insert it, and put the first place back in the rare case it was there.
        if let first = declared[kind].insert(id, location) {
            sink.error(
                "config.duplicate_id", "\(kind) id '\(id)' is declared twice",
                hint: "the first is at \(first); ids must be unique", at: location)
            return false
        }
        if kind == "body" { lastDeclaredBody = id }
        return true
    }

    /// The place in `offices` of the office with this id, if it is declared.
    func officePlace(_ id: String) -> Int? { declared["office"].place(of: id) }

    /// Reports an id that refers to nothing, with the closest known id.
    func reference(_ cursor: YAMLCursor, kind: String, among known: IDTable<SourceLocation>) -> String? {
        guard let id = cursor.identifier() else { return nil }
        guard known.contains(id) else {
            let hint =
                Suggest.closest(to: id, in: known.keys.sorted()).map { "did you mean '\($0)'?" }
                ?? "declare it under `\(Self.listKey[kind] ?? kind + "s")`"
            sink.error(
                "config.unknown_id", "\(cursor.path) names \(kind) '\(id)', which is not declared",
                hint: hint, at: cursor.location)
            return nil
        }
        return id
    }

    // MARK: - Settings

    func readSettings(_ cursor: YAMLCursor) {
        if let first = settingsSeen {
            sink.error(
                "config.duplicate_settings", "settings are given twice", hint: "the first is at \(first)",
                at: cursor.location)
            return
        }
        settingsSeen = cursor.location
        guard
            let map = cursor.mapping(allowed: [
                "time_zone", "language", "terms", "closed_days", "notifications",
                "delivery", "outbox", "service",
            ])
        else { return }
        if let delivery = map["delivery"] { readDelivery(delivery) }
        if let outbox = map["outbox"] { readOutbox(outbox) }
        if let service = map["service"] { readService(service) }
        if let zone = map["time_zone"], let name = zone.string() {
            if let rules = ZoneRules.known[name] {
                settings.zone = rules
            } else {
                sink.error(
                    "config.time_zone", "time zone '\(name)' is not supported",
                    hint: "use one of " + ZoneRules.known.keys.sorted().joined(separator: ", "),
                    at: zone.location)
            }
        }
        if let language = map["language"], let value = language.string() {
            if ["sv", "en"].contains(value) {
                settings.language = value
            } else {
                sink.error(
                    "config.language", "language '\(value)' has no templates", hint: "use sv or en",
                    at: language.location)
            }
        }
        if let terms = map["terms"], let rules = readTerms(terms) { settings.terms = rules }
        if let closed = map["closed_days"] { settings.closedDays = closed.list()?.compactMap { $0.date() } ?? [] }
        if let policy = map["notifications"] { settings.notifications = readPolicy(policy, base: .standard) }
    }

    /// `terms: {spring: "01-08..06-15", autumn: "08-15..12-20"}`.
    func readTerms(_ cursor: YAMLCursor) -> TermRules? {
        guard
            let map = cursor.mapping(
                allowed: ["spring", "autumn"], required: ["spring", "autumn"],
                example: "{spring: \"01-08..06-15\", autumn: \"08-15..12-20\"}"),
            let spring = map["spring"].flatMap(readMonthDayRange),
            let autumn = map["autumn"].flatMap(readMonthDayRange)
        else { return nil }
        do {
            return try TermRules(springStart: spring.0, springEnd: spring.1, autumnStart: autumn.0, autumnEnd: autumn.1)
        } catch {
            sink.error(
                "config.terms", "\(cursor.path): \(error.message)", hint: "spring must end before autumn starts",
                at: cursor.location)
            return nil
        }
    }

    func readMonthDayRange(_ cursor: YAMLCursor) -> (MonthDay, MonthDay)? {
        guard let text = cursor.string() else { return nil }
        let parts = text.components(separatedBy: "..")
        func monthDay(_ s: String) -> MonthDay? {
            let p = s.split(separator: "-")
            guard p.count == 2, p[0].count == 2, p[1].count == 2, let m = Int(p[0]), let d = Int(p[1]),
                LocalDate(year: 2024, month: m, day: d) != nil
            else { return nil }
            return MonthDay(month: m, day: d)
        }
        guard parts.count == 2, let from = monthDay(parts[0]), let to = monthDay(parts[1]), from < to else {
            sink.error(
                "config.term_range", "\(cursor.path) '\(text)' is not a range of days in the year",
                hint: "write MM-DD..MM-DD, e.g. \"08-15..12-20\"", at: cursor.location)
            return nil
        }
        return (from, to)
    }

    static let policyKeys = [
        "convener_prompt_days", "agenda_request_days", "agenda_items_due_days", "summons_days", "reminder_days",
        "minutes_reminder_working_days", "send_at", "kinds",
    ]

    func readPolicy(_ cursor: YAMLCursor, base: NotificationPolicy) -> NotificationPolicy {
        var policy = base
        guard let map = cursor.mapping(allowed: Self.policyKeys) else { return policy }
        if let v = map["convener_prompt_days"]?.int(in: 0...365) { policy.convenerPromptDays = v }
        if let v = map["agenda_request_days"]?.int(in: 0...365) { policy.agendaRequestDays = v }
        if let v = map["agenda_items_due_days"]?.int(in: 0...365) { policy.agendaItemsDueDays = v }
        if let v = map["summons_days"]?.int(in: 0...365) { policy.summonsDays = v }
        if let v = map["reminder_days"]?.int(in: 0...365) { policy.reminderDays = v }
        if let v = map["minutes_reminder_working_days"]?.int(in: 0...60) { policy.minutesReminderWorkingDays = v }
        if let v = map["send_at"]?.time() { policy.sendAt = v }
        if let kinds = map["kinds"]?.list() {
            policy.enabled = Set(
                kinds.compactMap { $0.choice(NotificationKind.self, among: NotificationKind.allCases) })
        }
        if policy.agendaItemsDueDays > policy.agendaRequestDays {
            sink.error(
                "config.policy", "\(cursor.path): agenda items are due before the agenda request goes out",
                hint: "agenda_items_due_days must be at most agenda_request_days", at: cursor.location)
        }
        return policy
    }

    static let deliveryKeys = [
        "transport", "folder", "service_address", "service_name", "from_convener", "smtp_url", "require_tls",
        "ca_file", "username", "password_file",
    ]

    /// `settings.delivery`: the transport and the service's address; secrets only by file name.
    func readDelivery(_ cursor: YAMLCursor) {
        guard let map = cursor.mapping(allowed: Self.deliveryKeys) else { return }
        var d = DeliverySettings()
        if let t = map["transport"]?.choice(DeliverySettings.Transport.self, among: [.folder, .smtp]) {
            d.transport = t
        }
        if let v = map["folder"]?.string() { d.folder = v }
        if let c = map["service_address"], let v = c.string() {
            if let problem = EmailAddress.problem(v) {
                sink.error(
                    "config.email", "\(c.path) '\(v)' \(problem)", hint: "e.g. kallad@region.example.se",
                    at: c.location)
            }
            d.serviceAddress = v
        }
        if let c = map["service_name"], let v = c.string() {
            if let problem = HeaderText.problem(v) { sink.error("config.name", "\(c.path) \(problem)", at: c.location) }
            d.serviceName = v
        }
        if let v = map["from_convener"]?.bool() { d.fromConvener = v }
        if let c = map["smtp_url"], let v = c.string() {
            if !(v.hasPrefix("smtp://") || v.hasPrefix("smtps://")) {
                sink.error(
                    "config.smtp_url", "\(c.path) '\(v)' is not an smtp:// or smtps:// URL",
                    hint: "e.g. smtp://mail.example.se:587 (STARTTLS) or smtps://mail.example.se:465",
                    at: c.location)
            }
            d.smtpURL = v
        }
        if let v = map["require_tls"]?.bool() { d.requireTLS = v }
        d.caFile = map["ca_file"]?.string()
        d.username = map["username"]?.string()
        d.passwordFile = map["password_file"]?.string()
        if d.transport == .smtp && d.smtpURL == nil {
            sink.error(
                "config.smtp_url", "\(cursor.path): transport smtp needs smtp_url",
                hint: "add smtp_url: smtp://host:587", at: cursor.location)
        }
        settings.delivery = d
    }

    /// `receivers: [{name, kind, url, room, secret_files}]`.
    func readReceiver(_ cursor: YAMLCursor) {
        guard
            let map = cursor.mapping(
                allowed: ["name", "kind", "url", "room", "secret_files"],
                required: ["name", "kind", "url"]),
            let name = map["name"]?.identifier(), let kindCursor = map["kind"], let kind = kindCursor.string(),
            let urlCursor = map["url"], let url = urlCursor.string(),
            declare(name, kind: "receiver", at: cursor.location)
        else { return }
        guard ReceiverSettings.kinds.contains(kind) else {
            sink.error(
                "config.bad_choice",
                "\(kindCursor.path) '\(kind)' is not one of "
                    + ReceiverSettings.kinds.joined(separator: ", "),
                hint: Suggest.closest(to: kind, in: ReceiverSettings.kinds).map { "did you mean '\($0)'?" } ?? "",
                at: kindCursor.location)
            return
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), HeaderText.problem(url) == nil else {
            sink.error("config.url", "\(urlCursor.path) '\(url)' is not an http(s) URL", at: urlCursor.location)
            return
        }
        let room = map["room"]?.string()
        if kind == "matrix" && room == nil {
            sink.error("config.missing_key", "\(cursor.path): a matrix receiver needs `room`", at: cursor.location)
        }
        receivers.append(
            ReceiverSettings(
                id: name, kind: kind, url: url, room: room,
                secretFiles: map["secret_files"]?.list(single: true)?.compactMap { $0.string() } ?? [],
                location: cursor.location))
    }

    // MARK: - Parties, areas, people, offices

    func readParty(_ cursor: YAMLCursor) {
        guard
            let map = cursor.mapping(
                allowed: Self.partyKeys, required: Self.requiredPartyKeys),
            let id = map["id"]?.identifier(), let name = map["name"]?.string(),
            let kind = map["kind"]?.choice(PartyKind.self, among: PartyKind.allCases),
            declare(id, kind: "party", at: cursor.location)
        else { return }
        let partOf = map["part_of"]?.list(single: true)?.compactMap { $0.identifier() } ?? []
        let later = (pending(map["part_of"], kind: "party", list: true), pending(map["area"], kind: "area"))
        if later.0 != nil || later.1 != nil { partyReferences.append((id, later.0, later.1)) }
        parties.append(
            Party(
                id: id, name: name, kind: kind, partOf: partOf, area: map["area"]?.identifier(),
                location: cursor.location))
    }

    var partyReferences: [(String, YAMLCursor?, YAMLCursor?)] = []

    /// Party references that may point forward (part_of, area), checked once all are read.
    func checkPartyReferences() {
        for (_, partOf, area) in partyReferences {
            for item in partOf?.list(single: true) ?? [] {
                _ = reference(item, kind: "party", among: declared["party"])
            }
            if let area { _ = reference(area, kind: "area", among: declared["area"]) }
        }
        for (areaID, list) in areaReferences {
            _ = areaID
            for item in list { _ = reference(item, kind: "party", among: declared["party"]) }
        }
        for (holder, party, area) in officeReferences {
            if let holder { _ = reference(holder, kind: "person", among: declared["person"]) }
            if let party { _ = reference(party, kind: "party", among: declared["party"]) }
            if let area { _ = reference(area, kind: "area", among: declared["area"]) }
        }
        partyReferences = []
        areaReferences = []
        officeReferences = []
    }

    var areaReferences: [(String, [YAMLCursor])] = []

    func readArea(_ cursor: YAMLCursor) {
        guard let map = cursor.mapping(allowed: ["id", "name", "parties", "terms"], required: ["id", "name"]),
            let id = map["id"]?.identifier(), let name = map["name"]?.string(),
            declare(id, kind: "area", at: cursor.location)
        else { return }
        let partyCursors = map["parties"]?.list() ?? []
        let later = partyCursors.filter { !resolvesNow($0, kind: "party") }
        if !later.isEmpty { areaReferences.append((id, later)) }
        areas.append(
            Area(
                id: id, name: name, parties: partyCursors.compactMap { $0.scalarText },
                terms: map["terms"].flatMap(readTerms), location: cursor.location))
    }

    func readPerson(_ cursor: YAMLCursor) {
        guard
            let map = cursor.mapping(allowed: Self.personKeys, required: Self.requiredPersonKeys),
            let id = map["id"]?.identifier(), let name = map["name"]?.string(),
            let emailCursor = map["email"], let email = emailCursor.string(),
            declare(id, kind: "person", at: cursor.location)
        else { return }
        if let problem = EmailAddress.problem(email) {
            sink.error(
                "config.email", "\(emailCursor.path) '\(email)' \(problem)",
                hint: "write a plain address such as name@example.se", at: emailCursor.location)
        }
        if let problem = HeaderText.problem(name) {
            sink.error(
                "config.name", "\(cursor.path).name \(problem)", hint: "remove line breaks and control characters",
                at: map["name"]?.location)
        }
        var handles: [String: String] = [:]
        for (key, value, _) in map["handles"]?.pairs() ?? [] {
            if let text = value.string() { handles[key] = text }
        }
        people.append(Person(id: id, name: name, email: email, handles: handles, location: cursor.location))
    }

    /// Holder, party and area of offices that may name something declared later.
    var officeReferences: [(YAMLCursor?, YAMLCursor?, YAMLCursor?)] = []

    func readOffice(_ cursor: YAMLCursor) {
        guard
            let map = cursor.mapping(
                allowed: Self.officeKeys, required: Self.requiredOfficeKeys),
            let id = map["id"]?.identifier(), let title = map["title"]?.string(),
            let partyCursor = map["party"], let party = partyCursor.scalarText,
            let holderCursor = map["holder"], let holder = holderCursor.scalarText,
            declare(id, kind: "office", at: cursor.location)
        else { return }
        let later = (
            pending(holderCursor, kind: "person"), pending(partyCursor, kind: "party"),
            pending(map["area"], kind: "area")
        )
        if later.0 != nil || later.1 != nil || later.2 != nil { officeReferences.append(later) }
        let roles = map["roles"]?.list(single: true)?.compactMap { $0.identifier() } ?? []
        offices.append(
            Office(
                id: id, title: title, party: party, holder: holder, area: map["area"]?.scalarText,
                roles: roles, location: cursor.location))
    }
}
