import KalladCore
import Mustache

/// A composed e-mail for one recipient: the envelope and the exact bytes to send.
public struct ComposedMail: Hashable, Sendable {
    /// The idempotency key of the notification plus the recipient: one delivery.
    public var deliveryKey: String
    /// Envelope sender (MAIL FROM).
    public var envelopeFrom: String
    /// Envelope recipient (RCPT TO).
    public var envelopeTo: String
    /// The RFC 5322 message, CRLF line ends.
    public var message: String
    /// The Message-ID, without angle brackets.
    public var messageID: String
}

/// How mail is addressed.
public struct MailSettings: Hashable, Sendable {
    /// The service's own address, used as envelope sender.
    public var serviceAddress: String
    /// The service's display name.
    public var serviceName: String
    /// `true`: From is the convener (with Sender = the service); `false`: From is the service and Reply-To the
    /// convener.
    public var fromConvener: Bool
    /// The domain in Message-IDs and UIDs.
    public var domain: String

    /// Creates settings.
    public init(serviceAddress: String, serviceName: String = "Kallad", fromConvener: Bool = false, domain: String) {
        self.serviceAddress = serviceAddress
        self.serviceName = serviceName
        self.fromConvener = fromConvener
        self.domain = domain
    }
}

/// Turns due notifications into messages with Mustache templates: for each kind a subject, a text and an HTML
/// template (`<kind>.subject`, `<kind>.txt`, `<kind>.html`) per language. Pure: templates come in as text.
public struct Composer: Sendable {
    /// Template names every language must have.
    public static let requiredTemplates: [String] = NotificationKind.allCases.flatMap { kind in
        ["subject", "txt", "html"].map { "\(kind.rawValue).\($0)" }
    }

    let templates: [String: [String: MustacheTemplate]]

    /// Parses templates given as language → (name → text); reports the first missing or broken one.
    public init(templates texts: [String: [String: String]]) throws(ComposeError) {
        var parsed: [String: [String: MustacheTemplate]] = [:]
        for (language, set) in texts {
            for name in Self.requiredTemplates where set[name] == nil {
                throw ComposeError(
                    code: "compose.template_missing",
                    message: "templates/\(language)/\(name).mustache is missing", field: "templates")
            }
            for (name, text) in set {
                do {
                    parsed[language, default: [:]][name] = try MustacheTemplate(string: text)
                } catch {
                    throw ComposeError(
                        code: "compose.template_syntax",
                        message: "templates/\(language)/\(name).mustache: \(error)", field: "templates")
                }
            }
        }
        self.templates = parsed
    }

    /// One message per recipient of `notification`.
    public func mails(
        for notification: DueNotification, registry: Registry, settings: MailSettings, now: Instant
    ) throws(ComposeError) -> [ComposedMail] {
        let language = templates[registry.settings.language] != nil ? registry.settings.language : "sv"
        guard let set = templates[language] else {
            throw ComposeError(
                code: "compose.template_missing", message: "no templates for \(language)",
                field: "templates")
        }
        let kind = notification.kind.rawValue
        guard let subjectTemplate = set["\(kind).subject"], let textTemplate = set["\(kind).txt"],
            let htmlTemplate = set["\(kind).html"]
        else {
            throw ComposeError(
                code: "compose.template_missing", message: "templates for \(kind) are missing",
                field: "templates")
        }
        let zone = registry.settings.zone
        let meeting = notification.meeting
        let sender = notification.sender
        let uid = "\(meeting.id)@\(settings.domain)"
        var result: [ComposedMail] = []
        for recipient in notification.recipients {
            let context = MessageContext.make(
                notification, recipient: recipient, registry: registry, language: language)
            let subject = subjectTemplate.render(context).split(whereSeparator: \.isNewline).joined(separator: " ")
            let text = textTemplate.render(context).replacingLineEnds()
            let html = htmlTemplate.render(context)
            var calendar: (method: String, content: String)?
            if [.summons, .update, .cancellation, .reminder].contains(notification.kind) {
                let invitation = CalendarInvitation(
                    method: notification.kind == .cancellation ? .cancel : .request, uid: uid,
                    sequence: notification.sequence, stamp: now, start: meeting.start, end: meeting.end, zone: zone,
                    summary: registry.body(meeting.body)?.name ?? meeting.body, location: meeting.location,
                    description: text.replacingOccurrences("\r\n", "\n"),
                    organizer: .init(
                        name: sender?.name ?? settings.serviceName,
                        email: sender?.email ?? settings.serviceAddress, role: "CHAIR"),
                    attendees: notification.recipients.map { r in
                        .init(
                            name: r.name, email: r.email,
                            role: r.person == notification.chair?.person
                                ? "CHAIR"
                                : r.optional ? "OPT-PARTICIPANT" : "REQ-PARTICIPANT")
                    })
                calendar = (invitation.method.rawValue, invitation.render())
            }
            let deliveryKey = "\(notification.key)/\(recipient.person)"
            let messageID =
                "\(MailHeader.stableHash(deliveryKey)).\(MailHeader.stableHash(notification.key))"
                + "@\(settings.domain)"
            let service = MailMessage.Mailbox(name: settings.serviceName, address: settings.serviceAddress)
            let convener = sender.map { MailMessage.Mailbox(name: $0.name, address: $0.email) }
            let message = MailMessage(
                from: settings.fromConvener ? (convener ?? service) : service,
                sender: settings.fromConvener && convener != nil ? service : nil,
                replyTo: settings.fromConvener ? nil : convener,
                to: [.init(name: recipient.name, address: recipient.email)], subject: subject, date: now, zone: zone,
                messageID: messageID, text: text, html: html, calendar: calendar,
                extraHeaders: [("X-Kallad-Key", deliveryKey)])
            result.append(
                ComposedMail(
                    deliveryKey: deliveryKey, envelopeFrom: settings.serviceAddress, envelopeTo: recipient.email,
                    message: try message.render(), messageID: messageID))
        }
        return result
    }
}

extension String {
    /// CRLF for every line end.
    func replacingLineEnds() -> String {
        var out = ""
        var previous: Character = " "
        for character in self {
            if character == "\n" && previous != "\r" {
                out += "\r\n"
            } else if character == "\r\n" {
                out += "\r\n"
            } else {
                out.append(character)
            }
            previous = character
        }
        return out
    }

    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
