/// Why someone receives a notification.
public enum RecipientReason: String, Sendable, Hashable {
    /// A member in their own seat.
    case member
    /// The seat's substitute (ersättare), standing in for an absent member.
    case substitute
    /// Someone named to stand in for one meeting.
    case standIn = "stand_in"
    /// Co-opted (adjungerad): invited, optional.
    case coopted
    /// The convener.
    case convener
    /// The chair.
    case chair
    /// The secretary.
    case secretary
}

/// A person who receives a notification.
public struct Recipient: Hashable, Sendable {
    /// Person id.
    public var person: String
    /// Name.
    public var name: String
    /// E-mail address.
    public var email: String
    /// Why they receive it.
    public var reason: RecipientReason
    /// The seat they fill, if any.
    public var seat: String?
    /// The party they act for, if known.
    public var party: String?
    /// Optional participant (co-opted).
    public var optional: Bool

    /// Creates a recipient.
    public init(
        person: String, name: String, email: String, reason: RecipientReason, seat: String? = nil,
        party: String? = nil, optional: Bool = false
    ) {
        self.person = person
        self.name = name
        self.email = email
        self.reason = reason
        self.seat = seat
        self.party = party
        self.optional = optional
    }
}

extension Registry {
    /// The people summoned to a meeting: each seat's member, or a named stand-in, or the substitute when the member
    /// is absent; co-opted members as optional; for a joint meeting, the members of every body in it. A person with
    /// several seats appears once.
    public func attendees(of meeting: Meeting) -> [Recipient] {
        // Read by index, field by field: the bodies are not copied.
        guard let index = index(ofBody: meeting.body) else { return [] }
        var seats = bodies[index].seats
        for other in bodies[index].jointOf {
            if let otherIndex = self.index(ofBody: other) { seats += bodies[otherIndex].seats }
        }
        // Looked up only when the meeting has stand-ins or absences (a look-up in an empty table still hashes).
        let adjustments = meeting.adjustments
        let standIns = adjustments.standIns, absent = adjustments.absent
        // A few dozen seats find a person already summoned by going through those summoned so far; more, by a set.
        let fewSeats = seats.count <= 32
        var seen = Set<String>(minimumCapacity: fewSeats ? 0 : seats.count)
        var result: [Recipient] = []
        result.reserveCapacity(seats.count)
        // By index, field by field: a seat taken out of the list is copied first.
        for place in seats.indices {
            var personID = seats[place].person
            let coopted = seats[place].coopted
            var reason: RecipientReason = coopted ? .coopted : .member
            if !standIns.isEmpty, let standIn = standIns[seats[place].id] {
                personID = standIn
                reason = .standIn
            } else if !absent.isEmpty, absent.contains(seats[place].id) {
                guard let substitute = seats[place].substitute else { continue }
                personID = substitute
                reason = .substitute
            }
            if fewSeats {
                guard !result.contains(where: { $0.person == personID }) else { continue }
            } else {
                guard seen.insert(personID).inserted else { continue }
            }
            guard let person = people[personID] else { continue }
            result.append(
                Recipient(
                    person: person.id, name: person.name, email: person.email, reason: reason, seat: seats[place].id,
                    party: seats[place].party, optional: coopted))
        }
        return result
    }

    /// A role holder as a recipient, if the role has a person.
    public func recipient(_ holder: RoleHolder?, as reason: RecipientReason) -> Recipient? {
        guard let id = holder?.person, let person = people[id] else { return nil }
        return Recipient(
            person: person.id, name: person.name, email: person.email, reason: reason, seat: holder?.seat,
            party: holder?.party, optional: false)
    }
}
