import KalladCore

/// An iCalendar object (RFC 5545, iTIP RFC 5546) for one meeting: a REQUEST with the summons or an update, a
/// CANCEL with a cancellation. The UID is stable per meeting and SEQUENCE rises with every move, so calendar
/// clients replace the event rather than add a second one.
public struct CalendarInvitation: Sendable {
    /// iTIP method.
    public enum Method: String, Sendable {
        /// An invitation or an update.
        case request = "REQUEST"
        /// A cancellation.
        case cancel = "CANCEL"
    }

    /// A person in the invitation.
    public struct Participant: Hashable, Sendable {
        /// Display name.
        public var name: String
        /// E-mail address.
        public var email: String
        /// RFC 5545 ROLE: `CHAIR`, `REQ-PARTICIPANT`, `OPT-PARTICIPANT`.
        public var role: String

        /// Creates a participant.
        public init(name: String, email: String, role: String) {
            self.name = name
            self.email = email
            self.role = role
        }
    }

    /// REQUEST or CANCEL.
    public var method: Method
    /// Stable per meeting, e.g. `norrbotten-lsg/2027-02-11@kallad`.
    public var uid: String
    /// Raised by every announced move.
    public var sequence: Int
    /// When the object was made (DTSTAMP), from the caller's clock.
    public var stamp: Instant
    /// Start and end in the zone.
    public var start: LocalDateTime
    /// End.
    public var end: LocalDateTime
    /// The zone the times are in.
    public var zone: ZoneRules
    /// SUMMARY.
    public var summary: String
    /// LOCATION.
    public var location: String
    /// DESCRIPTION.
    public var description: String
    /// ORGANIZER: the convener.
    public var organizer: Participant
    /// ATTENDEEs.
    public var attendees: [Participant]

    /// Creates an invitation.
    public init(
        method: Method, uid: String, sequence: Int, stamp: Instant, start: LocalDateTime, end: LocalDateTime,
        zone: ZoneRules, summary: String, location: String, description: String, organizer: Participant,
        attendees: [Participant]
    ) {
        self.method = method
        self.uid = uid
        self.sequence = sequence
        self.stamp = stamp
        self.start = start
        self.end = end
        self.zone = zone
        self.summary = summary
        self.location = location
        self.description = description
        self.organizer = organizer
        self.attendees = attendees
    }

    /// The whole VCALENDAR, CRLF line ends, folded at 75 octets.
    public func render() -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kallad//Kallad 1.0//SV", "CALSCALE:GREGORIAN",
            "METHOD:\(method.rawValue)",
        ]
        lines += Self.timezone(zone)
        lines += [
            "BEGIN:VEVENT",
            "UID:\(ContentLines.escapeText(uid))",
            "SEQUENCE:\(sequence)",
            "DTSTAMP:\(Self.utc(stamp))",
            "DTSTART;TZID=\(zone.identifier):\(Self.local(start))",
            "DTEND;TZID=\(zone.identifier):\(Self.local(end))",
            "SUMMARY:\(ContentLines.escapeText(summary))",
        ]
        if !location.isEmpty { lines.append("LOCATION:\(ContentLines.escapeText(location))") }
        if !description.isEmpty { lines.append("DESCRIPTION:\(ContentLines.escapeText(description))") }
        lines.append("ORGANIZER;CN=\(ContentLines.parameterValue(organizer.name)):mailto:\(organizer.email)")
        for attendee in attendees {
            lines.append(
                "ATTENDEE;CN=\(ContentLines.parameterValue(attendee.name));ROLE=\(attendee.role);"
                    + "PARTSTAT=NEEDS-ACTION;RSVP=\(method == .request ? "TRUE" : "FALSE"):mailto:\(attendee.email)")
        }
        lines.append("STATUS:\(method == .cancel ? "CANCELLED" : "CONFIRMED")")
        lines += ["TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
        return lines.map(ContentLines.fold).joined()
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    static func local(_ t: LocalDateTime) -> String {
        let d = t.date
        return "\(d.year)\(two(d.month))\(two(d.day))T\(two(t.time.hour))\(two(t.time.minute))00"
    }

    static func utc(_ instant: Instant) -> String {
        let (date, second) = instant.utcParts
        return "\(date.year)\(two(date.month))\(two(date.day))T\(two(second / 3600))\(two(second / 60 % 60))"
            + "\(two(second % 60))Z"
    }

    /// A VTIMEZONE with the EU summer-time rules (RFC 5545 §3.6.5), or a fixed offset for zones without.
    static func timezone(_ zone: ZoneRules) -> [String] {
        func offset(_ seconds: Int) -> String {
            let sign = seconds < 0 ? "-" : "+"
            return sign + two(abs(seconds) / 3600) + two(abs(seconds) / 60 % 60)
        }
        let standard = offset(zone.standardOffset)
        guard zone.summerShift != 0 else {
            return [
                "BEGIN:VTIMEZONE", "TZID:\(zone.identifier)", "BEGIN:STANDARD", "DTSTART:19700101T000000",
                "TZOFFSETFROM:\(standard)", "TZOFFSETTO:\(standard)", "END:STANDARD", "END:VTIMEZONE",
            ]
        }
        let summer = offset(zone.standardOffset + zone.summerShift)
        // Changes at 01:00 UTC: the local wall-clock time of the change in each direction.
        let springLocal = two((3600 + zone.standardOffset) / 3600 % 24) + "0000"
        let autumnLocal = two((3600 + zone.standardOffset + zone.summerShift) / 3600 % 24) + "0000"
        return [
            "BEGIN:VTIMEZONE", "TZID:\(zone.identifier)",
            "BEGIN:DAYLIGHT", "TZOFFSETFROM:\(standard)", "TZOFFSETTO:\(summer)",
            "DTSTART:19960331T\(springLocal)", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
            "BEGIN:STANDARD", "TZOFFSETFROM:\(summer)", "TZOFFSETTO:\(standard)",
            "DTSTART:19961027T\(autumnLocal)", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
            "END:VTIMEZONE",
        ]
    }
}
