import KalladCore

/// Reads a trigger body: `{"type": "...", "timestamp": "...", "data": {...}}` (the Standard Webhooks payload
/// shape). Every field problem is reported at once, with its JSON path. Pure: no clock, no registry.
public enum TriggerParser {
    /// Longest free-text field (titles, reasons), in characters.
    public static let maxText = 500

    /// The command, or every field problem found.
    public static func parse(_ bytes: some Collection<UInt8>) -> Result<TriggerCommand, TriggerRejection> {
        let top: [String: JSONValue]
        switch JSONValue.read(bytes) {
        case .failure(let malformed):
            return .failure(
                TriggerRejection(
                    .malformed, code: "trigger.json", detail: "the body is not JSON",
                    fields: [
                        FieldProblem(
                            field: "",
                            message: "expected a JSON object: \(malformed.message) at byte \(malformed.offset)")
                    ]))
        case .success(.object(let members)): top = members
        case .success(let other):
            return .failure(
                TriggerRejection(
                    .malformed, code: "trigger.shape", detail: "the body must be a JSON object",
                    fields: [FieldProblem(field: "", message: "expected an object, got \(typeName(other))")]))
        }
        var reader = FieldReader(object: top, path: "")
        reader.allow(["type", "timestamp", "data"])
        let type = reader.string("type", required: true, max: 64)
        _ = reader.string("timestamp", required: false, max: 64)
        let data = reader.object("data")
        if let type, !TriggerCommand.types.contains(type) {
            reader.problem(
                "type", "'\(type)' is not a trigger type; use one of " + TriggerCommand.types.joined(separator: ", "))
        }
        guard let type, let data, reader.problems.isEmpty else { return .failure(reader.rejection) }
        var fields = FieldReader(object: data, path: "data.")
        let command: TriggerCommand?
        switch type {
        case "meeting.requested":
            fields.allow(["body", "date", "start", "end", "requested_by", "reason"])
            let body = fields.identifier("body", required: true)
            let date = fields.date("date")
            let start = fields.time("start")
            let end = fields.time("end")
            let requestedBy = fields.identifier("requested_by", required: false)
            let reason = fields.text("reason", required: true)
            if start != nil && date == nil { fields.problem("start", "a start time needs a date") }
            if let start, let end, end <= start { fields.problem("end", "must be after start") }
            command = body.flatMap { body in
                reason.map {
                    .meetingRequested(
                        body: body, date: date, start: start, end: end, requestedBy: requestedBy, reason: $0)
                }
            }
        case "meeting.cancelled":
            fields.allow(["meeting", "reason"])
            let meeting = fields.meetingID("meeting")
            let reason = fields.text("reason", required: true)
            command = meeting.flatMap { meeting in reason.map { .meetingCancelled(meeting: meeting, reason: $0) } }
        case "meeting.moved":
            fields.allow(["meeting", "start", "end"])
            let meeting = fields.meetingID("meeting")
            let start = fields.dateTime("start", required: true)
            let end = fields.time("end")
            if let start, let end, end <= start.time { fields.problem("end", "must be after start") }
            command = meeting.flatMap { meeting in start.map { .meetingMoved(meeting: meeting, start: $0, end: end) } }
        case "agenda.item.added":
            fields.allow(["meeting", "title", "submitted_by"])
            let meeting = fields.meetingID("meeting")
            let title = fields.text("title", required: true)
            let by = fields.text("submitted_by", required: false)
            command = meeting.flatMap { meeting in
                title.map { .agendaItemAdded(meeting: meeting, title: $0, submittedBy: by) }
            }
        case "deviation.reported":
            fields.allow(["title", "body", "reported_by"])
            let title = fields.text("title", required: true)
            let body = fields.identifier("body", required: false)
            let by = fields.text("reported_by", required: false)
            command = title.map { .deviationReported(title: $0, body: body, reportedBy: by) }
        default:
            fields.allow(["meeting"])
            command = fields.meetingID("meeting").map { .summonsSendNow(meeting: $0) }
        }
        guard let command, fields.problems.isEmpty else { return .failure(fields.rejection) }
        return .success(command)
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        case .null: "null"
        case .number, .bool: "a number or boolean"
        }
    }
}

/// Reads fields of one JSON object and collects problems with their paths.
struct FieldReader {
    let object: [String: JSONValue]
    let path: String
    var problems: [FieldProblem] = []

    init(object: [String: JSONValue], path: String) {
        self.object = object
        self.path = path
    }

    var rejection: TriggerRejection {
        TriggerRejection(
            .malformed, code: "trigger.fields",
            detail: problems.count == 1 ? "1 field is wrong" : "\(problems.count) fields are wrong", fields: problems)
    }

    mutating func problem(_ key: String, _ message: String) {
        problems.append(FieldProblem(field: path + key, message: message))
    }

    mutating func allow(_ keys: [String]) {
        // Sorted only when some key is unknown: a body that is right (nearly every one) is not copied.
        guard object.keys.contains(where: { !keys.contains($0) }) else { return }
        for key in object.keys.sorted() where !keys.contains(key) {
            problem(key, "unknown field; expected " + keys.joined(separator: ", "))
        }
    }

    mutating func string(_ key: String, required: Bool, max: Int) -> String? {
        guard let value = object[key], value != .null else {
            if required { problem(key, "is required") }
            return nil
        }
        guard case .string(let text) = value else {
            problem(key, "must be a string, got \(TriggerParser.typeName(value))")
            return nil
        }
        if text.isEmpty {
            problem(key, "must not be empty")
            return nil
        }
        // Characters are never more than UTF-8 bytes: counting them (grapheme clusters) only when the bytes are.
        if text.utf8.count > max && text.count > max {
            problem(key, "is longer than \(max) characters")
            return nil
        }
        if let trouble = HeaderText.problem(text) {
            problem(key, trouble)
            return nil
        }
        return text
    }

    mutating func object(_ key: String) -> [String: JSONValue]? {
        guard let value = object[key], value != .null else {
            problem(key, "is required")
            return nil
        }
        guard case .object(let map) = value else {
            problem(key, "must be an object, got \(TriggerParser.typeName(value))")
            return nil
        }
        return map
    }

    mutating func text(_ key: String, required: Bool) -> String? {
        string(key, required: required, max: TriggerParser.maxText)
    }

    mutating func identifier(_ key: String, required: Bool) -> String? {
        guard let text = string(key, required: required, max: 64) else { return nil }
        guard Self.isIdentifier(text) else {
            problem(key, "'\(text)' is not an id (letters, digits, - and _)")
            return nil
        }
        return text
    }

    /// `<body>/<YYYY-MM-DD>` or an extra meeting's `<body>/<YYYY-MM-DD>-extra-<id>`.
    mutating func meetingID(_ key: String) -> String? {
        guard let text = string(key, required: true, max: 200) else { return nil }
        // Cut at the first "/" in place, over the UTF-8 bytes: no array of parts, no characters (this runs for
        // nearly every trigger). A date is ten ASCII bytes, so ten bytes are ten characters wherever it is one.
        let bytes = text.utf8
        let slash = bytes.firstIndex(of: UInt8(ascii: "/"))
        let dateStart = slash.map { bytes.index(after: $0) }
        let dateEnd = dateStart.flatMap { bytes.index($0, offsetBy: 10, limitedBy: bytes.endIndex) }
        guard let slash, let dateStart, let dateEnd, Self.isIdentifier(text[..<slash]),
            LocalDate(iso: text[dateStart..<dateEnd]) != nil,
            dateEnd == bytes.endIndex || bytes[dateEnd...].starts(with: "-extra-".utf8)
        else {
            problem(key, "'\(text)' is not a meeting id; ids are <body>/<YYYY-MM-DD>, see GET /v1/meetings")
            return nil
        }
        return text
    }

    mutating func date(_ key: String) -> LocalDate? {
        guard let text = string(key, required: false, max: 10) else { return nil }
        guard text.count == 10, let date = LocalDate(iso: text) else {
            problem(key, "'\(text)' is not a date (YYYY-MM-DD)")
            return nil
        }
        return date
    }

    mutating func time(_ key: String) -> LocalTime? {
        guard let text = string(key, required: false, max: 5) else { return nil }
        guard text.count == 5, let time = LocalTime(iso: text) else {
            problem(key, "'\(text)' is not a time of day (HH:MM)")
            return nil
        }
        return time
    }

    mutating func dateTime(_ key: String, required: Bool) -> LocalDateTime? {
        guard let text = string(key, required: required, max: 16) else { return nil }
        let parts = text.split(separator: "T")
        guard text.count == 16, parts.count == 2, let date = LocalDate(iso: parts[0]),
            let time = LocalTime(iso: parts[1])
        else {
            problem(key, "'\(text)' is not a local date and time (YYYY-MM-DDTHH:MM, the registry's time zone)")
            return nil
        }
        return LocalDateTime(date, time)
    }

    /// Every allowed character is one ASCII byte, so bytes are checked (and counted) rather than characters.
    static func isIdentifier(_ text: some StringProtocol) -> Bool {
        let bytes = text.utf8
        return !bytes.isEmpty && bytes.count <= 64
            && bytes.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-")
                    || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            }
    }
}
