import Foundation
public import KalladCompose
public import KalladCore
public import KalladStore

/// One turn of the planner against the outbox: what is due is composed and enqueued (idempotently, by key),
/// waiting deliveries the plan no longer wants are cancelled or superseded, and failed summonses are escalated —
/// the substitute summoned, the convener and secretary told. Takes `now`; reads no clock.
public struct PlannerTick: Sendable {
    /// The registry.
    public let registry: Registry
    /// Templates.
    public let composer: Composer
    /// How mail is addressed.
    public let mail: MailSettings

    /// Creates a tick for one configuration.
    public init(registry: Registry, composer: Composer) {
        self.registry = registry
        self.composer = composer
        let delivery = registry.settings.delivery
        mail = MailSettings(
            serviceAddress: delivery.serviceAddress, serviceName: delivery.serviceName,
            fromConvener: delivery.fromConvener,
            domain: String(delivery.serviceAddress.split(separator: "@").last ?? "kallad.invalid"))
    }

    /// What one tick did.
    public struct Report: Hashable, Sendable {
        /// Notifications the plan has due in the window.
        public var due = 0
        /// Of those, new in the outbox.
        public var enqueued = 0
        /// Waiting deliveries cancelled or superseded.
        public var settled = 0
        /// Failed deliveries escalated.
        public var escalated = 0
        /// Notifications that could not be composed (a template or address problem), with why.
        public var problems: [String] = []
    }

    /// Plans `[now − catch-up, now + lookahead)` and brings the outbox in line with it. New notifications are
    /// enqueued in pieces (`pieces(of:chunk:)`), each its own transaction, and `enqueuedSome` is told after each — so
    /// the dispatcher starts on the first of a big day while the rest is written.
    /// How `count` new notifications are enqueued: a first piece of a tenth of `chunk`, so the dispatcher can start
    /// sending a few milliseconds after the tick (one small transaction), then pieces twice as big as the one before
    /// up to `chunk` — each is written while the one before is on the wire, so the dispatcher never waits for one.
    public static func pieces(of count: Int, chunk: Int) -> [Range<Int>] {
        let chunk = max(1, chunk)
        var pieces: [Range<Int>] = []
        var size = max(1, chunk / 10)
        var start = 0
        while start < count {
            let end = min(count, start + size)
            pieces.append(start..<end)
            start = end
            size = min(chunk, size * 2)
        }
        return pieces
    }

    public func run(
        store: any OutboxStore, now: Instant, lookahead: Int64, chunk: Int = 1_000,
        enqueuedSome: (@Sendable () -> Void)? = nil
    ) throws(StoreError) -> Report {
        var report = Report()
        let from = now.adding(seconds: -registry.settings.outbox.catchUp)
        let to = now.adding(seconds: max(lookahead, 1))
        let (planner, schedule) = Planner.prepare(registry: registry, overlay: try store.overlay(), from: from, to: to)
        let due = planner.notifications(for: schedule, from: from, to: to)
        report.due = due.count
        let known = try store.existingKeys(due.map(\.key))
        var fresh: [NewNotification] = []
        for notification in due where !known.contains(notification.key) {
            let start = registry.settings.zone.instant(of: notification.meeting.start)
            // Caught up too late: its meeting has begun (the minutes reminder comes after the meeting).
            if notification.kind != .minutesReminder && start <= now { continue }
            do {
                fresh.append(try outgoing(notification, meetingStart: start))
            } catch {
                report.problems.append("\(notification.key): \(error)")
            }
        }
        fresh += try cancellationsFromFacts(schedule: schedule, planned: due, store: store, now: now,
                                            problems: &report.problems)
        for piece in Self.pieces(of: fresh.count, chunk: chunk) {
            report.enqueued += try store.enqueue(Array(fresh[piece]), now: now)
            enqueuedSome?()
        }

        let pending = try store.pending(dueFrom: Instant(secondsSinceEpoch: 0))
        let verdicts = Reconciliation.verdicts(
            for: pending, meeting: { schedule.meeting($0) }, planned: Set(due.map(\.key)), window: from..<to)
        for group in Dictionary(grouping: verdicts, by: { "\($0.state.rawValue)|\($0.reason)" }).values {
            guard let first = group.first else { continue }
            try store.settle(group.map(\.id), as: first.state, reason: first.reason, now: now)
        }
        report.settled = verdicts.count
        report.escalated = try escalate(store: store, schedule: schedule, now: now, problems: &report.problems)
        return report
    }

    /// Kinds a body's chat rooms and webhooks hear about; prompts, minutes reminders and escalations are for one
    /// person's mailbox only.
    static let announced: Set<NotificationKind> = [.agendaRequest, .summons, .reminder, .update, .cancellation]

    /// The notification as deliveries: a message per recipient, and the body's webhook and chat receivers.
    func outgoing(_ notification: DueNotification, meetingStart: Instant) throws -> NewNotification {
        var deliveries: [NewDelivery] = []
        let mails = try composer.mails(for: notification, registry: registry, settings: mail, now: notification.due)
        for (mail, recipient) in zip(mails, notification.recipients) {
            deliveries.append(
                NewDelivery(
                    channel: .email, recipient: mail.envelopeTo, person: recipient.person, seat: recipient.seat,
                    name: recipient.name, envelopeFrom: mail.envelopeFrom, message: mail.message))
        }
        if Self.announced.contains(notification.kind), let body = registry.body(notification.meeting.body) {
            for name in body.receivers {
                guard let settings = registry.receivers[name], let kind = WebhookReceiver.Kind(rawValue: settings.kind)
                else { continue }
                let receiver = WebhookReceiver(name: name, kind: kind, url: settings.url, room: settings.room)
                let request = try WebhookPayloads.unsignedRequest(
                    for: notification, receiver: receiver, registry: registry, now: notification.due)
                let json = try JSONEncoder().encode(request)
                deliveries.append(
                    NewDelivery(
                        channel: .receiver(name), recipient: name, message: String(decoding: json, as: UTF8.self)))
            }
        }
        return NewNotification(
            key: notification.key, kind: notification.kind, meeting: notification.meeting.id,
            body: notification.meeting.body, sequence: notification.sequence, due: notification.due,
            meetingStart: meetingStart, deliveries: deliveries)
    }

    /// The plan says who was told about a meeting from its timeline; the outbox knows. When a cancelled meeting's
    /// cancellation is not planned (it became known in the same second as the meeting, or as a summons went out)
    /// yet people were told of it, they get the cancellation now, under the planner's own key.
    func cancellationsFromFacts(
        schedule: MeetingSchedule, planned: [DueNotification], store: any OutboxStore, now: Instant,
        problems: inout [String]
    ) throws(StoreError) -> [NewNotification] {
        let zone = registry.settings.zone
        let plannedKeys = Set(planned.map(\.key))
        var result: [NewNotification] = []
        var roles: RoleResolver?
        for meeting in schedule.meetings where meeting.status == .cancelled {
            guard let cancelledAt = meeting.cancelledAt, cancelledAt <= now,
                zone.instant(of: meeting.start) > now
            else { continue }
            let key = "\(meeting.id)/\(NotificationKind.cancellation.rawValue)/\(meeting.sequence)"
            guard !plannedKeys.contains(key), try store.existingKeys([key]).isEmpty else { continue }
            let told = try store.toldPeople(meeting: meeting.id)
            guard !told.isEmpty else { continue }
            let resolver = roles ?? RoleResolver(registry: registry, schedule: schedule)
            roles = resolver
            let convener = resolver.holder(of: .convener, at: meeting)
            let attendees = registry.attendees(of: meeting)
            let recipients = told.compactMap { person in
                attendees.first { $0.person == person }
                    ?? registry.people[person].map {
                        Recipient(person: $0.id, name: $0.name, email: $0.email, reason: .member)
                    }
            }
            let notification = DueNotification(
                key: key, kind: .cancellation, due: now, meeting: meeting,
                sender: registry.recipient(convener, as: .convener), recipients: recipients,
                chair: resolver.holder(of: .chair, at: meeting), secretary: resolver.holder(of: .secretary, at: meeting),
                sequence: meeting.sequence)
            do {
                result.append(try outgoing(notification, meetingStart: zone.instant(of: meeting.start)))
            } catch {
                problems.append("\(key): \(error)")
            }
        }
        return result
    }

    /// Summons each unreached member's substitute, and tells the convener and secretary once per failed batch.
    func escalate(
        store: any OutboxStore, schedule: MeetingSchedule, now: Instant, problems: inout [String]
    ) throws(StoreError) -> Int {
        let failures = try store.failuresToEscalate()
        guard !failures.isEmpty else { return 0 }
        let roles = RoleResolver(registry: registry, schedule: schedule)
        let zone = registry.settings.zone
        var created: [NewNotification] = []
        for (key, group) in Dictionary(grouping: failures, by: \.notificationKey).sorted(by: { $0.key < $1.key }) {
            guard let first = group.first, let meeting = schedule.meeting(first.meeting),
                meeting.status == .scheduled, let body = registry.body(meeting.body)
            else { continue }
            let start = zone.instant(of: meeting.start)
            guard start > now else { continue }
            let convener = roles.holder(of: .convener, at: meeting)
            let chair = roles.holder(of: .chair, at: meeting)
            let secretary = roles.holder(of: .secretary, at: meeting)
            let sender = registry.recipient(convener, as: .convener)
            var unreached: [UnreachedRecipient] = []
            let unreachedPeople = Set(group.compactMap(\.person))
            for failure in group {
                var substituteName: String?
                if let seatID = failure.seat, let seat = body.seat(seatID) ?? jointSeat(seatID, of: body),
                    let substituteID = seat.substitute, !unreachedPeople.contains(substituteID),
                    let person = registry.people[substituteID]
                {
                    substituteName = person.name
                    let recipient = Recipient(
                        person: person.id, name: person.name, email: person.email, reason: .substitute,
                        seat: seat.id, party: seat.party, optional: seat.coopted)
                    let notification = DueNotification(
                        key: "\(key)/substitute/\(seat.id)", kind: .summons, due: now, meeting: meeting,
                        sender: sender, recipients: [recipient], chair: chair, secretary: secretary,
                        sequence: meeting.sequence)
                    do {
                        created.append(try outgoing(notification, meetingStart: start))
                    } catch {
                        problems.append("\(notification.key): \(error)")
                    }
                }
                unreached.append(
                    UnreachedRecipient(
                        name: failure.name ?? failure.recipient, email: failure.recipient, reason: failure.reason,
                        substitute: substituteName))
            }
            var told: [Recipient] = []
            for (holder, reason) in [(convener, RecipientReason.convener), (secretary, .secretary)] {
                guard let recipient = registry.recipient(holder, as: reason), !unreachedPeople.contains(recipient.person),
                    !told.contains(where: { $0.person == recipient.person })
                else { continue }
                told.append(recipient)
            }
            guard !told.isEmpty else { continue }
            let report = DueNotification(
                key: "\(key)/escalation/\(first.id)", kind: .escalation, due: now, meeting: meeting, sender: sender,
                recipients: told, chair: chair, secretary: secretary, sequence: meeting.sequence,
                unreached: unreached)
            do {
                created.append(try outgoing(report, meetingStart: start))
            } catch {
                problems.append("\(report.key): \(error)")
            }
        }
        try store.escalate(failures.map(\.id), with: created, now: now)
        return failures.count
    }

    /// A seat of one of the bodies a joint meeting brings together.
    func jointSeat(_ id: String, of body: Body) -> Seat? {
        for other in body.jointOf {
            if let seat = registry.body(other)?.seat(id) { return seat }
        }
        return nil
    }
}
