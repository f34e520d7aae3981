import KalladCore

extension RegistryReader {
    static let scheduleKeys = ["rrule", "start", "exdates", "rdates", "derived", "weekdays", "on_holiday", "plan"]

    func readSchedule(_ cursor: YAMLCursor, body: Body) -> Schedule {
        var schedule = Schedule(location: cursor.location)
        guard let map = cursor.mapping(allowed: Self.scheduleKeys) else { return schedule }
        if let weekdays = map["weekdays"]?.list() {
            schedule.preferredWeekdays = weekdays.compactMap { $0.choice(Weekday.self, among: Weekday.allCases) }
        }
        if let shift = map["on_holiday"]?.choice(HolidayShift.self, among: [.next, .previous, .skip]) {
            schedule.holidayShift = shift
        }
        if let rruleCursor = map["rrule"] {
            schedule.recurrence = readRecurrence(rruleCursor, map: map, body: body)
        } else {
            for key in ["start", "exdates", "rdates"] where map[key] != nil {
                sink.error(
                    "config.schedule", "\(cursor.path).\(key) needs an rrule",
                    hint: "add `rrule:` or remove `\(key)`", at: map[key]?.location)
            }
        }
        if let derived = map["derived"] {
            if map["rrule"] != nil {
                sink.error(
                    "config.schedule", "\(cursor.path) has both rrule and derived",
                    hint: "a body's meetings follow a pattern or another body's meetings, not both",
                    at: derived.location)
            }
            if let d = derived.mapping(
                allowed: ["from", "days_before"], required: ["from", "days_before"],
                example: "{from: norrbotten-lsg, days_before: 14}"),
                let from = d["from"]?.identifier(), let days = d["days_before"]?.int(in: 0...365)
            {
                schedule.derived = DerivedSchedule(body: from, daysBefore: days)
            }
        }
        for (yearText, list, location) in map["plan"]?.pairs() ?? [] {
            guard let year = Int(yearText), (1990...2200).contains(year) else {
                sink.error(
                    "config.plan_year", "\(cursor.path).plan key '\(yearText)' is not a year",
                    hint: "group dates by year: plan: {2027: [2027-02-11, …]}", at: location)
                continue
            }
            var dates: [PlannedDate] = []
            for item in list.list() ?? [] {
                guard let entry = readPlannedDate(item) else { continue }
                if entry.date.year != year {
                    sink.error(
                        "config.plan_year", "\(item.path) \(entry.date) is listed under \(year)",
                        hint: "move it under \(entry.date.year)", at: item.location)
                    continue
                }
                dates.append(entry)
            }
            schedule.plan[year] = dates
        }
        return schedule
    }

    func readPlannedDate(_ cursor: YAMLCursor) -> PlannedDate? {
        if cursor.scalarText != nil {
            return cursor.date().map { PlannedDate(date: $0, sourceLocation: cursor.location) }
        }
        guard
            let map = cursor.mapping(
                allowed: ["date", "hours", "location", "allow_holiday"], required: ["date"],
                example: "{date: 2027-02-11, hours: \"10:00-12:00\"}"),
            let date = map["date"]?.date()
        else { return nil }
        var entry = PlannedDate(date: date, sourceLocation: cursor.location)
        if let hours = map["hours"].flatMap(readHours) {
            entry.start = hours.0
            entry.end = hours.1
        }
        entry.location = map["location"]?.string()
        entry.allowHoliday = map["allow_holiday"]?.bool() ?? false
        return entry
    }

    func readRecurrence(_ cursor: YAMLCursor, map: YAMLFields, body: Body) -> RecurrenceSet? {
        guard let text = cursor.string() else { return nil }
        let rule: RecurrenceRule
        let parsed: Result<RecurrenceRule, RecurrenceError>
        if let known = parsedRules[text] {
            parsed = known
        } else {
            parsed = RecurrenceRule.parse(text)
            parsedRules[text] = parsed
        }
        switch parsed {
        case .success(let parsed): rule = parsed
        case .failure(let error):
            var location = cursor.location
            // Point into the rule text when it is on one line.
            let style = cursor.node.style
            if cursor.node.kind == .scalar, [YAMLTree.Style.plain, .doubleQuoted, .singleQuoted].contains(style) {
                location.column += (error.offset ?? 0) + (style == .plain ? 0 : 1)
            }
            sink.error(
                "config.\(error.code)", "\(cursor.path): \(error.message)",
                hint: "see RFC 5545 §3.3.10; Kallad takes FREQ YEARLY/MONTHLY/WEEKLY with INTERVAL, BYMONTH, "
                    + "BYMONTHDAY, BYDAY, BYSETPOS, COUNT, UNTIL", at: location)
            return nil
        }
        guard let startCursor = map["start"] else {
            sink.error(
                "config.missing_key", "\(cursor.path) needs a `start` date (the first meeting, DTSTART)",
                hint: "e.g. start: 2026-02-12", at: cursor.location)
            return nil
        }
        let start: LocalDateTime?
        if let text = startCursor.scalarText, Self.hasTimePart(text) {
            start = startCursor.dateTime()
        } else {
            start = startCursor.date().map { LocalDateTime($0, body.startTime) }
        }
        guard let start else { return nil }
        func dates(_ key: String) -> [LocalDateTime] {
            map[key]?.list()?.compactMap { item -> LocalDateTime? in
                if let text = item.scalarText, Self.hasTimePart(text) { return item.dateTime() }
                return item.date().map { LocalDateTime($0, start.time) }
            } ?? []
        }
        let set = RecurrenceSet(start: start, rule: rule, rdates: dates("rdates"), exdates: dates("exdates"))
        // What `validate` finds depends on the rule and DTSTART alone, and a national registry repeats a few dozen
        // of those thousands of times.
        let validation = ValidatedStart(rule: text, start: start)
        let problem: RecurrenceError?
        if let known = validatedStarts[validation] {
            problem = known
        } else {
            problem = set.validate()
            validatedStarts[validation] = problem
        }
        if let problem {
            sink.error(
                "config.\(problem.code)", "\(startCursor.path): \(problem.message)",
                hint: "make `start` the first meeting the rule gives", at: startCursor.location)
            return nil
        }
        for exdate in set.unmatchedExdates() {
            sink.diagnostics.append(
                Diagnostic(
                    .warning, code: "config.exdate_unmatched",
                    message: "\(map["exdates"]?.path ?? "exdates"): \(exdate) removes no meeting of the rule",
                    hint: "check the date and the time (the rule's meetings start at \(start.time))",
                    location: map["exdates"]?.location ?? cursor.location))
        }
        return set
    }

    /// Whether a date text has a time part (`T`): compared as a byte when the text is ASCII, as a character
    /// otherwise (a `T` with a combining mark is another character).
    static func hasTimePart(_ text: String) -> Bool {
        var ascii = true
        for byte in text.utf8 where byte >= 0x80 {
            ascii = false
            break
        }
        return ascii ? text.utf8.contains(UInt8(ascii: "T")) : text.contains("T")
    }

    // MARK: - Changes

    func readChange(_ cursor: YAMLCursor) {
        let kinds = ["extra", "moved", "cancelled", "stand_in", "absent", "role", "agenda_item"]
        guard let map = cursor.mapping(allowed: ["id", "known_at"] + kinds, required: ["id"]),
            let id = map["id"]?.identifier(), declare(id, kind: "change", at: cursor.location)
        else { return }
        let present = kinds.filter { map[$0] != nil }
        guard present.count == 1, let kind = present.first, let value = map[kind] else {
            sink.error(
                "config.change", "\(cursor.path) needs exactly one of \(kinds.joined(separator: ", "))",
                at: cursor.location)
            return
        }
        let knownAt = map["known_at"]?.instant()
        var action: OverlayChange.Action?
        if kind == "extra" {
            if let m = value.mapping(
                allowed: ["body", "start", "end", "requested_by", "reason"],
                required: ["body", "start"],
                example: "{body: norrbotten-lsg, start: 2027-03-03T10:00}"),
                let body = m["body"].flatMap({ reference($0, kind: "body", among: declared["body"]) }),
                let start = m["start"]?.dateTime()
            {
                let requestedBy = m["requested_by"].flatMap { reference($0, kind: "party", among: declared["party"]) }
                action = .extra(
                    body: body, start: start, end: m["end"]?.time(), requestedBy: requestedBy,
                    reason: m["reason"]?.string() ?? "")
            }
        } else {
            let keys: [String] =
                switch kind {
                case "moved": ["meeting", "to", "end"]
                case "cancelled": ["meeting", "reason"]
                case "stand_in": ["meeting", "seat", "person"]
                case "absent": ["meeting", "seat"]
                case "role": ["meeting", "role", "person"]
                default: ["meeting", "title", "submitted_by"]
                }
            let required =
                kind == "cancelled"
                ? ["meeting"]
                : kind == "moved"
                    ? ["meeting", "to"]
                    : Array(keys.prefix(kind == "agenda_item" ? 2 : 3))
            guard let m = value.mapping(allowed: keys, required: required), let meeting = m["meeting"]?.string() else {
                return
            }
            guard meeting.contains("/") else {
                sink.error(
                    "config.meeting_id", "\(value.path).meeting '\(meeting)' is not a meeting id",
                    hint: "write <body id>/<date>, e.g. norrbotten-lsg/2027-02-11", at: m["meeting"]?.location)
                return
            }
            let person = { m["person"].flatMap { self.reference($0, kind: "person", among: self.declared["person"]) } }
            switch kind {
            case "moved":
                if let to = m["to"]?.dateTime() { action = .moved(meeting: meeting, start: to, end: m["end"]?.time()) }
            case "cancelled":
                action = .cancelled(meeting: meeting, reason: m["reason"]?.string() ?? "")
            case "stand_in":
                if let seat = m["seat"]?.identifier(), let p = person() {
                    action = .standIn(meeting: meeting, seat: seat, person: p)
                }
            case "absent":
                if let seat = m["seat"]?.identifier() { action = .absent(meeting: meeting, seat: seat) }
            case "role":
                if let role = m["role"]?.choice(Role.self, among: Role.allCases), let p = person() {
                    action = .roleHolder(meeting: meeting, role: role, person: p)
                }
            default:
                if let title = m["title"]?.string() {
                    action = .agendaItem(meeting: meeting, title: title, submittedBy: m["submitted_by"]?.string())
                }
            }
        }
        if let action {
            changes.append(OverlayChange(id: id, action: action, knownAt: knownAt, location: cursor.location))
        }
    }
}
