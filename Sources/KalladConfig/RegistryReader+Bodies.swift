import Foundation
import KalladCore

extension RegistryReader {
    static let bodyKeys = [
        "id", "name", "kind", "area", "reports_to", "joint_of", "members", "convener", "chair", "secretary",
        "cadence", "before", "hours", "location", "schedule", "composition", "active", "terms", "notifications",
        "handles_deviations", "receivers", "purpose",
    ]
    static let requiredBodyKeys = ["id", "name", "kind", "members", "convener", "chair", "secretary"]
    static let seatKeys = ["seat", "office", "person", "party", "substitute", "substitute_office", "coopted"]
    static let roleKeys = ["seat", "rotate", "follows", "same_as", "appointed_by"]
    static let cadenceKeys = ["at_least", "per"]

    func readBody(_ cursor: YAMLCursor) {
        guard
            let map = cursor.mapping(allowed: Self.bodyKeys, required: Self.requiredBodyKeys),
            let id = map["id"]?.identifier(), declare(id, kind: "body", at: cursor.location)
        else { return }
        let name = map["name"]?.string() ?? id
        let kind = map["kind"]?.choice(BodyKind.self, among: BodyKind.allCases) ?? .network
        let members = map["members"]?.list() ?? []
        // Exactly as many as there are members: a national registry has over 100,000 seats, and an array grown by
        // doubling keeps up to twice the room.
        var seats: [Seat] = []
        seats.reserveCapacity(members.count)
        // A body of a few dozen seats finds a seat id taken by going through the seats read so far (ids of up to
        // 15 bytes compare by their bits), a larger one by a table.
        let fewSeats = members.count <= 32
        var seatIDs: [String: SourceLocation] = [:]
        if !fewSeats { seatIDs.reserveCapacity(members.count) }
        for item in members {
            // The usual seat is made where it goes: one returned is copied on the way (and its strings retained and
            // released), and a national registry has over 100,000.
            if !appendOfficeSeat(item, to: &seats) {
                guard let seat = readSeat(item) else { continue }
                seats.append(seat)
            }
            // A seat whose id is taken is reported and taken out again.
            let seatID = seats[seats.count - 1].id
            if fewSeats, let taken = seats.dropLast().firstIndex(where: { $0.id == seatID }) {
                let first = seats[taken].location ?? item.location
                sink.error(
                    "config.duplicate_seat", "seat '\(seatID)' appears twice in body \(id)",
                    hint: "the first is at \(first); give one of them `seat: <another id>`", at: item.location)
                seats.removeLast()
                continue
            }
            // One look-up: insert, and put the first place back in the rare case the seat was there.
            if !fewSeats, let first = seatIDs.updateValue(item.location, forKey: seatID) {
                seatIDs[seatID] = first
                sink.error(
                    "config.duplicate_seat", "seat '\(seatID)' appears twice in body \(id)",
                    hint: "the first is at \(first); give one of them `seat: <another id>`", at: item.location)
                seats.removeLast()
                continue
            }
        }
        var hours = (LocalTime(hour: 10, minute: 0), LocalTime(hour: 15, minute: 0))
        if let cursor = map["hours"] { hours = readHours(cursor) ?? hours }
        guard let start = hours.0, let end = hours.1 else { return }
        var body = Body(
            id: id, name: name, kind: kind, seats: seats,
            convener: map["convener"].flatMap { readRole($0, role: .convener) } ?? .seat(""),
            chair: map["chair"].flatMap { readRole($0, role: .chair) } ?? .seat(""),
            secretary: map["secretary"].flatMap { readRole($0, role: .secretary) } ?? .seat(""),
            startTime: start, endTime: end, sourceLocation: cursor.location)
        body.area = map["area"].flatMap { reference($0, kind: "area", among: declared["area"]) }
        body.reportsTo = map["reports_to"]?.identifier()
        body.jointOf = map["joint_of"]?.list()?.compactMap { $0.identifier() } ?? []
        body.location = map["location"]?.string() ?? ""
        body.purpose = map["purpose"]?.string() ?? ""
        body.cadences = map["cadence"]?.list()?.compactMap(readCadence) ?? []
        body.constraints = map["before"]?.list()?.compactMap(readConstraint) ?? []
        if let schedule = map["schedule"] { body.schedule = readSchedule(schedule, body: body) }
        for (party, value, location) in map["composition"]?.pairs() ?? [] {
            guard declared["party"].contains(party) else {
                sink.error(
                    "config.unknown_id", "\(cursor.path).composition names party '\(party)', which is not declared",
                    hint: Suggest.closest(to: party, in: declared["party"].keys.sorted())
                        .map { "did you mean '\($0)'?" } ?? "", at: location)
                continue
            }
            if let count = value.int(in: 0...1000) { body.composition[party] = count }
        }
        if let active = map["active"], let range = active.mapping(allowed: ["from", "until"]) {
            body.activeFrom = range["from"]?.date()
            body.activeUntil = range["until"]?.date()
            if let from = body.activeFrom, let until = body.activeUntil, until < from {
                sink.error(
                    "config.active", "body \(id) ends (\(until)) before it starts (\(from))",
                    hint: "swap `from` and `until`", at: active.location)
            }
        }
        if let terms = map["terms"] { body.terms = readTerms(terms) }
        body.notifications =
            map["notifications"].map { readPolicy($0, base: settings.notifications) }
            ?? settings.notifications
        body.handlesDeviations = map["handles_deviations"]?.bool() ?? false
        body.receivers = map["receivers"]?.list()?.compactMap { $0.identifier() } ?? []
        bodies.append(body)
    }

    static let officeSeatKeys = ["office", "substitute_office", "coopted"]

    /// A seat of the usual form, `{office: X}` with `substitute_office` and `coopted` or without, read in one pass
    /// over its pairs, appended to `seats`: what `readSeat` gives when every part is well formed and names a declared
    /// office. `false` (nothing appended) when the seat has anything else (another key, a key twice, a value
    /// `readSeat` would report); `readSeat` reads it then, with its diagnostics.
    func appendOfficeSeat(_ cursor: YAMLCursor, to seats: inout [Seat]) -> Bool {
        let tree = cursor.tree
        guard tree.nodes[Int(cursor.index)].kind == .mapping else { return false }
        var office: Int32 = -1, substituteOffice: Int32 = -1, coopted: Int32 = -1
        let entries = tree.entries(cursor.index)
        var i = entries.startIndex
        while i < entries.endIndex {
            let key = entries[i], value = entries[i + 1]
            i += 2
            guard tree.nodes[Int(key)].kind == .scalar else { return false }
            switch tree.match(key, in: Self.officeSeatKeys) {
            case 0 where office < 0: office = value
            case 1 where substituteOffice < 0: substituteOffice = value
            case 2 where coopted < 0: coopted = value
            default: return false
            }
        }
        guard office >= 0, let officeNumber = declaredOffice(tree, office) else { return false }
        var isCoopted = false
        if coopted >= 0 {
            guard tree.nodes[Int(coopted)].kind == .scalar else { return false }
            switch tree.text(coopted) {
            case "true", "yes", "on": isCoopted = true
            case "false", "no", "off": isCoopted = false
            default: return false
            }
        }
        var substitute: String?, substituteID: String?
        if substituteOffice >= 0 {
            guard let number = declaredOffice(tree, substituteOffice) else { return false }
            substituteID = offices[number].id
            substitute = offices[number].holder
        }
        // Of the office's fields read in place: a copy of the office would retain (and release) each of its strings.
        seats.append(
            Seat(
                id: offices[officeNumber].id, office: offices[officeNumber].id, person: offices[officeNumber].holder,
                party: offices[officeNumber].party, substitute: substitute, substituteOffice: substituteID,
                coopted: isCoopted, location: cursor.location))
        return true
    }

    /// The place in `offices` of the office a scalar names, when `reference` would take it without a word.
    private func declaredOffice(_ tree: YAMLTree, _ node: Int32) -> Int? {
        let scalar = tree.nodes[Int(node)]
        guard scalar.kind == .scalar else { return nil }
        // Every declared office id is a valid id; a plain `null` reads as nothing.
        let offices = declared["office"]
        guard let found = tree.withBytes(node, offices.place(ofBytes:)),
            !(scalar.style == .plain && tree.text(node, is: "null"))
        else { return nil }
        return found
    }

    /// `{office: X}` or `{person: Y, party: P}`, with `seat`, `substitute` (a person) or `substitute_office`,
    /// and `coopted`.
    func readSeat(_ cursor: YAMLCursor) -> Seat? {
        guard
            let map = cursor.mapping(
                allowed: Self.seatKeys,
                example: "{office: narsjukvardschef-norra, substitute_office: ...}")
        else { return nil }
        let coopted = map["coopted"]?.bool() ?? false
        var seat: Seat?
        if let officeCursor = map["office"] {
            if map["person"] != nil {
                sink.error(
                    "config.seat", "\(cursor.path) has both office and person",
                    hint: "a seat follows an office (its holder sits) or names a person, not both",
                    at: cursor.location)
                return nil
            }
            // A declared office id is a valid id, and `reference` would take it (unless it is a plain
            // `null`, which reads as nothing): one look-up instead of two.
            let officeNumber: Int
            if officeCursor.node.kind == .scalar, let text = officeCursor.scalarText, let found = officePlace(text),
                !(officeCursor.node.style == .plain && text == "null")
            {
                officeNumber = found
            } else {
                guard let id = reference(officeCursor, kind: "office", among: declared["office"]),
                    let found = officePlace(id)
                else { return nil }
                officeNumber = found
            }
            let office = offices[officeNumber]
            let officeID = office.id
            let party = map["party"].flatMap { reference($0, kind: "party", among: declared["party"]) } ?? office.party
            seat = Seat(
                id: officeID, office: officeID, person: office.holder, party: party, coopted: coopted,
                location: cursor.location)
        } else if let personCursor = map["person"] {
            guard let person = reference(personCursor, kind: "person", among: declared["person"]) else { return nil }
            guard let partyCursor = map["party"] else {
                sink.error(
                    "config.missing_key", "\(cursor.path) names a person but no party",
                    hint: "add `party: <party id>` — whom does this member represent?", at: cursor.location)
                return nil
            }
            guard let party = reference(partyCursor, kind: "party", among: declared["party"]) else { return nil }
            seat = Seat(
                id: person, office: nil, person: person, party: party, coopted: coopted,
                location: cursor.location)
        } else {
            sink.error(
                "config.missing_key", "\(cursor.path) needs `office` or `person`",
                hint: "e.g. {office: socialchef-kiruna}", at: cursor.location)
            return nil
        }
        if let custom = map["seat"]?.identifier() { seat?.id = custom }
        if let substitute = map["substitute"] {
            seat?.substitute = reference(substitute, kind: "person", among: declared["person"])
        }
        if let substituteOffice = map["substitute_office"],
            let officeID = reference(substituteOffice, kind: "office", among: declared["office"])
        {
            seat?.substituteOffice = officeID
            seat?.substitute = officePlace(officeID).map { offices[$0].holder }
        }
        return seat
    }

    func readHours(_ cursor: YAMLCursor) -> (LocalTime?, LocalTime?)? {
        guard let text = cursor.string() else { return nil }
        let parts = text.split(separator: "-").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let start = LocalTime(iso: parts[0]), let end = LocalTime(iso: parts[1]), start < end
        else {
            sink.error(
                "config.hours", "\(cursor.path) '\(text)' is not a span of hours",
                hint: "write \"HH:MM-HH:MM\", e.g. \"10:00-15:00\"", at: cursor.location)
            return nil
        }
        return (start, end)
    }

    /// `{seat: X}`, `{rotate: {every: year, from: 2026, order: [a, b]}}`, `{follows: {body: B, role: chair}}`,
    /// `{same_as: chair}`, `{appointed_by: convener}`.
    func readRole(_ cursor: YAMLCursor, role: Role) -> RoleRule? {
        guard
            let map = cursor.mapping(
                allowed: Self.roleKeys,
                example: "{seat: narsjukvardschef-norra} or {rotate: {every: year, from: 2026, order: [a, b]}}")
        else { return nil }
        guard map.count == 1, let (key, value) = map.first else {
            sink.error(
                "config.role", "\(cursor.path) needs exactly one of seat, rotate, follows, same_as, appointed_by",
                at: cursor.location)
            return nil
        }
        switch key {
        case "seat":
            return value.identifier().map { .seat($0) }
        case "rotate":
            guard
                let r = value.mapping(
                    allowed: ["every", "from", "order"], required: ["every", "from", "order"],
                    example: "{every: year, from: 2026, order: [seat-a, seat-b]}"),
                let every = r["every"]?.choice(RotationPeriod.self, among: [.year, .meeting]),
                let from = r["from"]?.int(in: 1990...2200),
                let order = r["order"]?.list()?.compactMap({ $0.identifier() })
            else { return nil }
            guard !order.isEmpty else {
                sink.error(
                    "config.rotation", "\(value.path).order is empty", hint: "list the seats in turn",
                    at: value.location)
                return nil
            }
            return .rotation(Rotation(period: every, anchorYear: from, order: order))
        case "follows":
            guard let f = value.mapping(allowed: ["body", "role"], required: ["body", "role"]),
                let body = f["body"]?.identifier(),
                let other = f["role"]?.choice(Role.self, among: Role.allCases)
            else { return nil }
            return .follows(body: body, role: other)
        case "same_as":
            guard let other = value.choice(Role.self, among: Role.allCases) else { return nil }
            guard other != role else {
                sink.error("config.role", "\(cursor.path) is the same as itself", at: value.location)
                return nil
            }
            return .sameAs(other)
        default:
            guard let other = value.choice(Role.self, among: Role.allCases) else { return nil }
            guard other != role else {
                sink.error("config.role", "\(cursor.path) appoints itself", at: value.location)
                return nil
            }
            return .appointedBy(other)
        }
    }

    /// `{at_least: 4, per: year}`.
    func readCadence(_ cursor: YAMLCursor) -> Cadence? {
        guard
            let map = cursor.mapping(
                allowed: Self.cadenceKeys, required: Self.cadenceKeys,
                example: "{at_least: 4, per: year}"),
            let count = map["at_least"]?.int(in: 1...366),
            let period = map["per"]?.choice(CadencePeriod.self, among: [.year, .term])
        else { return nil }
        return Cadence(atLeast: count, period: period)
    }

    /// `{body: norrbotten-lsg, min_days: 10, after_previous: true}`.
    func readConstraint(_ cursor: YAMLCursor) -> RelativeConstraint? {
        guard
            let map = cursor.mapping(
                allowed: ["body", "min_days", "after_previous"], required: ["body", "min_days"],
                example: "{body: norrbotten-lsg, min_days: 10}"),
            let body = map["body"]?.identifier(), let days = map["min_days"]?.int(in: 0...365)
        else { return nil }
        return RelativeConstraint(
            body: body, minDaysBefore: days, afterPrevious: map["after_previous"]?.bool() ?? true,
            location: cursor.location)
    }
}
