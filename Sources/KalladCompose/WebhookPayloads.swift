import Foundation
import KalladCore

/// A receiver of a body's notifications over HTTP.
public struct WebhookReceiver: Hashable, Sendable {
    /// What the receiver speaks.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Standard Webhooks: a signed JSON event for other systems.
        case standard
        /// Slack-compatible incoming webhooks (also Mattermost, Rocket.Chat).
        case slack
        /// Microsoft Teams workflow webhooks: an Adaptive Card.
        case teams
        /// Matrix: `PUT …/rooms/{room}/send/m.room.message/{txnId}` with an access token.
        case matrix
    }

    /// The receiver's name in the configuration.
    public var name: String
    /// Its kind.
    public var kind: Kind
    /// The URL: the webhook URL, or for Matrix the homeserver's base URL.
    public var url: String
    /// Matrix: the room id.
    public var room: String?
    /// Secrets (Standard Webhooks `whsec_…`, newest first) or the Matrix access token, from files or credentials.
    public var secrets: [String]

    /// Creates a receiver.
    public init(name: String, kind: Kind, url: String, room: String? = nil, secrets: [String] = []) {
        self.name = name
        self.kind = kind
        self.url = url
        self.room = room
        self.secrets = secrets
    }
}

/// An HTTP request to make, before a transport sends it.
public struct WebhookRequest: Hashable, Sendable, Codable {
    /// `POST` or `PUT`.
    public var method: String
    /// Where.
    public var url: String
    /// Headers.
    public var headers: [String: String]
    /// JSON body.
    public var body: String

    /// Creates a request.
    public init(method: String, url: String, headers: [String: String], body: String) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// Webhook and chat payloads for due notifications. Pure: `now` is the event's timestamp.
public enum WebhookPayloads {
    /// The request for `notification` to `receiver`; the idempotency key is the webhook id / Matrix txnId, so a
    /// retry is recognisable as the same event.
    public static func request(
        for notification: DueNotification, receiver: WebhookReceiver, registry: Registry, now: Instant
    ) throws(ComposeError) -> WebhookRequest {
        try authorize(
            unsignedRequest(for: notification, receiver: receiver, registry: registry, now: now), receiver: receiver,
            now: now)
    }

    /// The request without its secrets: what the outbox keeps. `authorize` signs it (Standard Webhooks) or adds
    /// the Matrix token when it is sent, so a retry hours later carries a fresh timestamp and the current secret.
    public static func unsignedRequest(
        for notification: DueNotification, receiver: WebhookReceiver, registry: Registry, now: Instant
    ) throws(ComposeError) -> WebhookRequest {
        let zone = registry.settings.zone
        let meeting = notification.meeting
        let bodyName = registry.body(meeting.body)?.name ?? meeting.body
        let when =
            "\(DateWording.date(meeting.date, language: registry.settings.language)) "
            + "\(meeting.start.time)–\(meeting.end.time)"
        let title = "\(label(notification.kind, language: registry.settings.language)): \(bodyName)"
        let summary = "\(title), \(when)" + (meeting.location.isEmpty ? "" : ", \(meeting.location)")
        let key = "\(notification.key)/\(receiver.name)"
        let json: [String: Any]
        var headers = ["Content-Type": "application/json"]
        var method = "POST"
        var url = receiver.url
        switch receiver.kind {
        case .standard:
            let data: [String: Any] = [
                "meeting": meeting.id, "body": meeting.body, "body_name": bodyName,
                "start": zone.iso8601(zone.instant(of: meeting.start)),
                "end": zone.iso8601(zone.instant(of: meeting.end)),
                "location": meeting.location, "sequence": notification.sequence, "status": meeting.status.rawValue,
                "convener": notification.sender?.email ?? "", "recipients": notification.recipients.map(\.email),
            ]
            json = [
                "type": "meeting.\(notification.kind.rawValue)", "id": key, "timestamp": zone.iso8601(now),
                "data": data,
            ]
        case .slack:
            json = ["text": summary]
        case .teams:
            json = [
                "type": "message",
                "attachments": [
                    [
                        "contentType": "application/vnd.microsoft.card.adaptive",
                        "content": [
                            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
                            "version": "1.4",
                            "body": [
                                ["type": "TextBlock", "text": title, "weight": "Bolder", "wrap": true],
                                ["type": "TextBlock", "text": when, "wrap": true],
                                ["type": "TextBlock", "text": meeting.location, "wrap": true, "isSubtle": true],
                            ],
                        ] as [String: Any],
                    ]
                ],
            ]
        case .matrix:
            guard let room = receiver.room else {
                throw ComposeError(
                    code: "compose.matrix", message: "a Matrix receiver needs a room", field: receiver.name)
            }
            method = "PUT"
            let base = receiver.url.hasSuffix("/") ? String(receiver.url.dropLast()) : receiver.url
            url = "\(base)/_matrix/client/v3/rooms/\(escape(room))/send/m.room.message/\(escape(key))"
            json = ["msgtype": "m.text", "body": summary]
        }
        let bytes =
            (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        let body = String(decoding: bytes, as: UTF8.self)
        if receiver.kind == .standard { headers["webhook-id"] = key }
        return WebhookRequest(method: method, url: url, headers: headers, body: body)
    }

    /// The request as it leaves at `now`: Standard Webhooks headers signed with the receiver's secrets, or the
    /// Matrix access token.
    public static func authorize(
        _ request: WebhookRequest, receiver: WebhookReceiver, now: Instant
    ) throws(ComposeError) -> WebhookRequest {
        var request = request
        switch receiver.kind {
        case .standard:
            guard let id = request.headers["webhook-id"] else {
                throw ComposeError(
                    code: "compose.webhook", message: "the request has no webhook-id to sign", field: receiver.name)
            }
            let timestamp = now.secondsSinceEpoch
            request.headers["webhook-timestamp"] = String(timestamp)
            request.headers["webhook-signature"] = try WebhookSignature.sign(
                id: id, timestamp: timestamp, body: request.body, secrets: receiver.secrets)
        case .matrix:
            guard let token = receiver.secrets.first else {
                throw ComposeError(
                    code: "compose.matrix", message: "a Matrix receiver needs a token", field: receiver.name)
            }
            request.headers["Authorization"] = "Bearer \(token)"
        case .slack, .teams:
            break
        }
        return request
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            ?? text
    }

    static func label(_ kind: NotificationKind, language: String) -> String {
        let sv: [NotificationKind: String] = [
            .convenerPrompt: "Förbered möte", .agendaRequest: "Begäran om ärenden", .summons: "Kallelse",
            .reminder: "Påminnelse", .minutesReminder: "Minnesanteckningar", .cancellation: "Inställt",
            .update: "Ändrad tid", .escalation: "Kunde inte nås",
        ]
        let en: [NotificationKind: String] = [
            .convenerPrompt: "Prepare the meeting", .agendaRequest: "Agenda request", .summons: "Summons",
            .reminder: "Reminder", .minutesReminder: "Minutes", .cancellation: "Cancelled", .update: "New time",
            .escalation: "Not reached",
        ]
        return (language == "sv" ? sv : en)[kind] ?? kind.rawValue
    }
}
