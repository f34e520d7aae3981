/// The person holding a role at a meeting, and on whose behalf.
public struct RoleHolder: Hashable, Sendable {
    /// The person, or `nil` while someone still has to appoint them.
    public var person: String?
    /// The seat they hold it through, if any.
    public var seat: String?
    /// Their office, if any.
    public var office: String?
    /// The party they act for, if known.
    public var party: String?
    /// Who appoints the holder when the rule says so (R8) and nobody has been named yet.
    public var appointer: String?
    /// Why this person: `seat`, `rotation`, `follows <body>`, `same as chair`, `named for this meeting`, …
    public var basis: String
}

/// Decides who convenes, chairs and keeps the minutes at each meeting (R5–R10). Pure.
public struct RoleResolver: Sendable {
    /// The registry.
    public let registry: Registry
    /// The meetings the decisions are about.
    public let schedule: MeetingSchedule

    /// Creates a resolver.
    public init(registry: Registry, schedule: MeetingSchedule) {
        self.registry = registry
        self.schedule = schedule
    }

    /// The holder of `role` at `meeting`, or `nil` if the rule names nobody (a configuration error the loader
    /// reports).
    public func holder(of role: Role, at meeting: Meeting) -> RoleHolder? {
        if let named = meeting.adjustments.roleHolders[role] {
            return RoleHolder(
                person: named, seat: nil, office: nil, party: nil, appointer: nil, basis: "named for this meeting")
        }
        guard let index = registry.index(ofBody: meeting.body) else { return nil }
        return resolve(role, in: index, at: meeting, depth: 0)
    }

    /// Works on the body's index in `registry.bodies`: reading a field of it does not copy the whole body.
    func resolve(_ role: Role, in body: Int, at meeting: Meeting?, date: LocalDate? = nil, depth: Int) -> RoleHolder? {
        guard depth < 8 else { return nil }
        let day = meeting?.date ?? date ?? LocalDate.firstOfYear(2000)
        switch rule(for: role, in: body) {
        case .seat(let seatID):
            return holder(seat: seatID, in: body, at: meeting, basis: "seat \(seatID)")
        case .rotation(let rotation):
            guard !rotation.order.isEmpty else { return nil }
            let turn: Int
            switch rotation.period {
            case .year:
                turn = day.year - rotation.anchorYear
            case .meeting:
                turn =
                    meetingOrdinal(meeting, day: day, body: registry.bodies[body].id, since: rotation.anchorYear)
                    + (schedule.ordinaryMeetingsBefore[registry.bodies[body].id] ?? 0)
            }
            let n = rotation.order.count
            let seatID = rotation.order[((turn % n) + n) % n]
            // Literal texts: no string made for every meeting.
            let basis = rotation.period == .year ? "rotation by year" : "rotation by meeting"
            return holder(seat: seatID, in: body, at: meeting, basis: basis)
        case .follows(let otherID, let otherRole):
            guard let other = registry.index(ofBody: otherID) else { return nil }
            // The other body's next meeting on or after this one (the one this meeting prepares), else its last.
            let theirs = schedule.byBody[otherID] ?? []
            let target =
                theirs.first { $0.status == .scheduled && $0.date >= day }
                ?? theirs.last { $0.status == .scheduled && $0.date < day }
            var found = resolve(otherRole, in: other, at: target, date: day, depth: depth + 1)
            found?.basis = "follows \(otherRole.rawValue) of \(otherID)"
            return found
        case .sameAs(let otherRole):
            guard otherRole != role else { return nil }
            if let meeting, let named = meeting.adjustments.roleHolders[otherRole] {
                return RoleHolder(
                    person: named, seat: nil, office: nil, party: nil, appointer: nil,
                    basis: Self.sameAsBasis(otherRole))
            }
            var found = resolve(otherRole, in: body, at: meeting, date: day, depth: depth + 1)
            found?.basis = Self.sameAsBasis(otherRole)
            return found
        case .appointedBy(let appointerRole):
            guard appointerRole != role else { return nil }
            let appointer = resolve(appointerRole, in: body, at: meeting, date: day, depth: depth + 1)
            return RoleHolder(
                person: nil, seat: nil, office: nil, party: appointer?.party, appointer: appointer?.person,
                basis: Self.appointedByBasis(appointerRole))
        }
    }

    /// Whether the holder of `role` in the body at `registry.bodies[body]`, at a meeting without stand-ins,
    /// absences or named holders, is decided by the meeting's year alone: seats and yearly rotations, and roles
    /// that are the same as or appointed by such a role. Then one answer serves every such meeting of the year.
    public func dependsOnYearOnly(_ role: Role, in body: Int, depth: Int = 0) -> Bool {
        guard depth < 8 else { return false }
        switch rule(for: role, in: body) {
        case .seat: return true
        case .rotation(let rotation): return rotation.period == .year
        case .follows: return false
        case .sameAs(let other), .appointedBy(let other):
            return other != role && dependsOnYearOnly(other, in: body, depth: depth + 1)
        }
    }

    func rule(for role: Role, in body: Int) -> RoleRule {
        switch role {
        case .convener: registry.bodies[body].convener
        case .chair: registry.bodies[body].chair
        case .secretary: registry.bodies[body].secretary
        }
    }

    /// The ordinary meetings of the body before this one in the years expanded; an extra meeting takes the turn of
    /// the ordinary meeting before it.
    func meetingOrdinal(_ meeting: Meeting?, day: LocalDate, body: String, since anchorYear: Int) -> Int {
        let all = schedule.byBody[body] ?? []
        func count(where included: (Meeting) -> Bool) -> Int {
            var n = 0
            for other in all where other.kind != .extra && other.date.year >= anchorYear && included(other) { n += 1 }
            return n
        }
        guard let meeting else { return count { $0.date < day } }
        if meeting.kind == .extra {
            return max(0, count { $0.start < meeting.start } - 1)
        }
        // Count by original order (the id's date), so a moved meeting keeps its turn.
        let key = Self.originalStart(meeting)
        return count { Self.originalStart($0) < key }
    }

    /// The start a meeting had before any move. Compared as values: the same order as comparing their ISO text for
    /// four-digit years.
    static func originalStart(_ meeting: Meeting) -> LocalDateTime {
        meeting.history.first?.start ?? meeting.start
    }

    func holder(seat seatID: String, in body: Int, at meeting: Meeting?, basis: String) -> RoleHolder? {
        guard let seat = seatInBodyOrJoint(seatID, body: body) else { return nil }
        var person = seat.person
        var basis = basis
        if let meeting {
            if let standIn = meeting.adjustments.standIns[seatID] {
                person = standIn
                basis += ", stand-in"
            } else if meeting.adjustments.absent.contains(seatID), let substitute = seat.substitute {
                person = substitute
                basis += ", substitute"
            }
        }
        return RoleHolder(
            person: person, seat: seat.id, office: seat.office, party: seat.party, appointer: nil,
            basis: basis)
    }

    /// `same as <role>`, as a literal.
    static func sameAsBasis(_ role: Role) -> String {
        switch role {
        case .convener: "same as convener"
        case .chair: "same as chair"
        case .secretary: "same as secretary"
        }
    }

    /// `appointed by the <role>`, as a literal.
    static func appointedByBasis(_ role: Role) -> String {
        switch role {
        case .convener: "appointed by the convener"
        case .chair: "appointed by the chair"
        case .secretary: "appointed by the secretary"
        }
    }

    func seatInBodyOrJoint(_ seatID: String, body: Int) -> Seat? {
        // By index: iterating the seats would copy each one.
        let seats = registry.bodies[body].seats
        for index in seats.indices where seats[index].id == seatID { return seats[index] }
        for other in registry.bodies[body].jointOf {
            if let seat = registry.body(other)?.seat(seatID) { return seat }
        }
        return nil
    }
}
