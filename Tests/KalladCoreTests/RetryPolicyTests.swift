import KalladCore
import Testing

@Suite("Retry policy: ladder, jitter, deadlines")
struct RetryPolicyTests {
    let policy = RetryPolicy.standard
    let start = Instant(secondsSinceEpoch: 1_800_000_000)
    var due: Instant { start.adding(seconds: -14 * 86_400) }

    @Test("the ladder's waits, each within ±10 % and the same for the same key and attempt")
    func ladder() {
        let expected: [Int64] = [60, 300, 1800, 7200, 18_000, 36_000, 36_000, 36_000]
        for (index, base) in expected.enumerated() {
            let attempt = index + 1
            for key in ["a", "b", "norrbotten-lsg/2027-02-11/summons/0/p1", "x#1"] {
                let wait = policy.wait(after: attempt, key: key)
                #expect(wait >= base - base / 10 && wait <= base + base / 10, "attempt \(attempt) key \(key): \(wait)")
                #expect(wait == policy.wait(after: attempt, key: key))
            }
        }
        // Jitter spreads retries of different deliveries.
        let spread = Set((0..<50).map { policy.wait(after: 4, key: "delivery-\($0)") })
        #expect(spread.count > 20)
    }

    @Test("a transient failure is retried on the ladder; Retry-After pushes the next attempt later, never earlier")
    func transient() {
        let now = due
        let plain = policy.decide(
            .transient(retryAfter: nil), attempt: 1, kind: .summons, key: "k", due: due, meetingStart: start, now: now)
        #expect(plain == .retry(at: now.adding(seconds: policy.wait(after: 1, key: "k"))))
        let later = policy.decide(
            .transient(retryAfter: 3600), attempt: 1, kind: .summons, key: "k", due: due, meetingStart: start, now: now)
        #expect(later == .retry(at: now.adding(seconds: 3600)))
        let shorter = policy.decide(
            .transient(retryAfter: 1), attempt: 3, kind: .summons, key: "k", due: due, meetingStart: start, now: now)
        #expect(shorter == .retry(at: now.adding(seconds: policy.wait(after: 3, key: "k"))))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let result: AttemptResult
        let kind: NotificationKind
        /// Seconds before the meeting the attempt ends.
        let before: Int64
        let expected: String
        let escalates: Bool
        var testDescription: String { "\(kind) \(result) \(before) s before → \(expected)" }
        init(_ result: AttemptResult, _ kind: NotificationKind, _ before: Int64, _ expected: String, _ escalates: Bool) {
            self.result = result
            self.kind = kind
            self.before = before
            self.expected = expected
            self.escalates = escalates
        }
    }

    static let cases: [Case] = [
        Case(.permanent, .summons, 10 * 86_400, "fail", true),
        Case(.permanent, .update, 10 * 86_400, "fail", true),
        Case(.permanent, .reminder, 2 * 86_400, "fail", false),
        Case(.permanent, .agendaRequest, 28 * 86_400, "fail", false),
        Case(.transient(retryAfter: nil), .summons, 10 * 86_400, "retry", false),
        Case(.transient(retryAfter: nil), .summons, 3 * 86_400 + 30, "fail", true),  // past the summons deadline
        Case(.transient(retryAfter: 7200), .summons, 3 * 86_400 + 3600, "fail", true),
        Case(.transient(retryAfter: nil), .reminder, 30, "drop", false),  // would arrive after the start
        Case(.transient(retryAfter: nil), .reminder, 3600, "retry", false),
        Case(.transient(retryAfter: nil), .cancellation, 30, "drop", false),
        Case(.configuration, .summons, 10 * 86_400, "retry", false),
        Case(.delivered, .summons, 10, "delivered", false),
    ]

    @Test("outcome table by kind", arguments: cases)
    func table(_ c: Case) {
        let now = start.adding(seconds: -c.before)
        let decision = policy.decide(c.result, attempt: 1, kind: c.kind, key: "k", due: due, meetingStart: start, now: now)
        switch decision {
        case .delivered: #expect(c.expected == "delivered")
        case .retry(let at):
            #expect(c.expected == "retry")
            #expect(at > now && at < start)
        case .fail(_, let escalate):
            #expect(c.expected == "fail")
            #expect(escalate == c.escalates)
        case .drop: #expect(c.expected == "drop")
        }
    }

    @Test("nothing but a minutes reminder or an escalation is sent once the meeting has begun")
    func nothingAfterStart() {
        for kind in NotificationKind.allCases {
            let due = kind == .minutesReminder ? start.adding(seconds: 86_400) : due
            let decision = policy.shouldSend(kind: kind, meetingStart: start, due: due, now: start)
            switch kind {
            case .minutesReminder, .escalation: #expect(decision == nil, "\(kind)")
            default:
                let dropped = if case .drop = decision { true } else { false }
                #expect(dropped, "\(kind)")
            }
            #expect(policy.shouldSend(kind: kind, meetingStart: start, due: due, now: start.adding(seconds: -1)) == nil)
        }
    }

    @Test("a minutes reminder is given up a week after it was due")
    func minutesReminderDeadline() {
        let due = start.adding(seconds: 86_400)
        let late = policy.shouldSend(
            kind: .minutesReminder, meetingStart: start, due: due, now: due.adding(seconds: 7 * 86_400))
        let failed = if case .fail = late { true } else { false }
        #expect(failed)
        let retry = policy.decide(
            .transient(retryAfter: nil), attempt: 6, kind: .minutesReminder, key: "k", due: due, meetingStart: start,
            now: due.adding(seconds: 6 * 86_400 + 80_000))
        let gaveUp = if case .fail(_, let escalate) = retry { !escalate } else { false }
        #expect(gaveUp)
    }

    @Test("durations in the configuration's words")
    func durations() {
        #expect(OutboxSettings.seconds("90s") == 90)
        #expect(OutboxSettings.seconds("5m") == 300)
        #expect(OutboxSettings.seconds("2h") == 7200)
        let retention = OutboxSettings.seconds("180d") ?? 0
        #expect(retention == 15_552_000)
        for bad in ["", "5", "m", "-5m", "5w", "1.5h", "99999999999999999999d"] {
            #expect(OutboxSettings.seconds(bad) == nil, "\(bad)")
        }
    }
}

@Suite("Reconciliation of waiting deliveries with the plan")
struct ReconciliationTests {
    let t0 = Instant(secondsSinceEpoch: 1_800_000_000)

    func meeting(_ id: String, status: MeetingStatus = .scheduled, sequence: Int = 0) -> Meeting {
        var m = Meeting(
            id: id, body: "b", kind: .ordinary, source: .rule,
            start: LocalDateTime(LocalDate(year: 2027, month: 3, day: 4)!, LocalTime(hour: 10, minute: 0)!),
            end: LocalDateTime(LocalDate(year: 2027, month: 3, day: 4)!, LocalTime(hour: 15, minute: 0)!), location: "")
        m.status = status
        m.sequence = sequence
        return m
    }

    func pending(_ id: Int64, _ kind: NotificationKind, meeting: String, sequence: Int = 0, key: String? = nil)
        -> PendingDelivery
    {
        PendingDelivery(
            id: id, notificationKey: key ?? "\(meeting)/\(kind.rawValue)/\(sequence)", kind: kind, meeting: meeting,
            sequence: sequence, due: t0)
    }

    @Test("cancelled, moved, vanished and unplanned deliveries; the rest untouched")
    func verdicts() {
        let meetings = [
            "m-cancelled": meeting("m-cancelled", status: .cancelled, sequence: 1),
            "m-moved": meeting("m-moved", sequence: 1), "m-fine": meeting("m-fine"),
        ]
        let list = [
            pending(1, .summons, meeting: "m-cancelled"),
            pending(2, .cancellation, meeting: "m-cancelled", sequence: 1),
            pending(3, .summons, meeting: "m-moved", sequence: 0),
            pending(4, .reminder, meeting: "m-moved", sequence: 1),
            pending(5, .agendaRequest, meeting: "m-moved", key: "m-moved/agenda_request"),
            pending(6, .summons, meeting: "m-gone"),
            pending(7, .summons, meeting: "m-fine"),
            pending(8, .reminder, meeting: "m-fine"),
            pending(9, .escalation, meeting: "m-gone", key: "x/escalation/1"),
            pending(10, .summons, meeting: "m-fine", key: "m-fine/summons/0/substitute/s1"),
            pending(11, .cancellation, meeting: "m-cancelled", sequence: 1, key: "m-cancelled/cancellation/1/x"),
        ]
        let planned: Set<String> = ["m-moved/reminder/1", "m-moved/agenda_request", "m-fine/summons/0",
                                    "m-cancelled/cancellation/1"]
        let verdicts = Reconciliation.verdicts(
            for: list, meeting: { meetings[$0] }, planned: planned, window: t0..<t0.adding(seconds: 60))
        let byID = Dictionary(uniqueKeysWithValues: verdicts.map { ($0.id, $0.state) })
        #expect(byID == [1: .cancelled, 3: .superseded, 6: .superseded, 8: .superseded])
        // Outside the window the plan's silence says nothing.
        let outside = Reconciliation.verdicts(
            for: [pending(8, .reminder, meeting: "m-fine")], meeting: { meetings[$0] }, planned: [],
            window: t0.adding(seconds: 60)..<t0.adding(seconds: 120))
        #expect(outside.isEmpty)
    }
}
