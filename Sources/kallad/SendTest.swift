import ArgumentParser
import Foundation
import KalladCompose
import KalladCore
import KalladDaemon
import KalladTransport

struct SendTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Send one real test message through the configured transport and report the server's answer.",
        discussion: """
            --to ADDRESS sends a short mail; --webhook NAME sends the next summons of a body that names the receiver \
            (or any body) as that receiver's payload. With the folder transport the message is written there. \
            Exit 0 when delivered, 1 when not, 2 for unusable input.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "An address to send a test mail to.")
    var to: String?

    @Option(help: "The name of a receiver under `receivers`.")
    var webhook: String?

    func validate() throws {
        guard (to == nil) != (webhook == nil) else {
            throw ValidationError("give either --to ADDRESS or --webhook NAME")
        }
        if let to, let problem = EmailAddress.problem(to) { throw ValidationError("--to '\(to)' \(problem)") }
    }

    func run() async throws {
        let (registry, _) = try options.load()
        let delivery = registry.settings.delivery
        let now = Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))
        let outcome: DeliveryOutcome
        var what: String
        if let to {
            let message = MailMessage(
                from: .init(name: delivery.serviceName, address: delivery.serviceAddress),
                to: [.init(name: "", address: to)], subject: "Kallad: testmeddelande / test message", date: now,
                zone: registry.settings.zone,
                messageID: "test-\(now.secondsSinceEpoch)-\(MailHeader.stableHash(to))@kallad.invalid",
                text: "Det här är ett testmeddelande från Kallad.\r\nThis is a test message from Kallad.\r\n")
            let bytes = try message.render()
            what = "mail to \(to)"
            switch delivery.transport {
            case .folder:
                outcome = FolderTransport(folder: delivery.folder).deliver(name: "send-test-\(to).eml", content: bytes)
                what += " (written to \(delivery.folder)/)"
            case .smtp:
                let settings = try OutboxSetup.smtpSettings(delivery)
                let result = await SMTPTransport(settings: settings).send(
                    [OutgoingMail(from: delivery.serviceAddress, recipients: [to], message: bytes)])
                outcome = result.first?.recipients[to] ?? .transient(nil, reason: "no result", retryAfter: nil)
                what += " via \(settings.url)"
            }
        } else {
            let name = webhook ?? ""
            guard let receiver = registry.receivers[name] else {
                throw ValidationError("no receiver '\(name)' under `receivers`")
            }
            let (request, key) = try webhookRequest(receiver, registry: registry, now: now)
            what = "\(receiver.kind) event \(key) to \(receiver.id)"
            switch delivery.transport {
            case .folder:
                let record: [String: Any] = [
                    "method": request.method, "url": request.url, "headers": request.headers,
                    "body": request.body,
                ]
                let json = try JSONSerialization.data(
                    withJSONObject: record, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
                outcome = FolderTransport(folder: delivery.folder)
                    .deliver(name: "send-test-\(receiver.id).json", content: String(decoding: json, as: UTF8.self))
                what += " (written to \(delivery.folder)/)"
            case .smtp:
                let sent = await HTTPTransport().send([
                    OutgoingRequest(
                        method: request.method, url: request.url, headers: request.headers, body: request.body)
                ])
                outcome = sent.first ?? .transient(nil, reason: "no result", retryAfter: nil)
            }
        }
        print("\(what): \(Self.describe(outcome))")
        if case .delivered = outcome { return }
        throw ExitCode(ExitStatus.violations)
    }

    static func describe(_ outcome: DeliveryOutcome) -> String {
        switch outcome {
        case .delivered(let reply): "delivered" + (reply.map { " — \($0)" } ?? "")
        case .transient(let reply, let reason, let after):
            "not delivered, worth retrying: \(reason)" + (reply.map { " — \($0)" } ?? "")
                + (after.map { " (retry after \($0) s)" } ?? "")
        case .permanent(let reply, let reason): "refused: \(reason)" + (reply.map { " — \($0)" } ?? "")
        case .configuration(let reason): "configuration error: \(reason)"
        }
    }

    func webhookRequest(
        _ settings: ReceiverSettings, registry: Registry, now: Instant
    ) throws
        -> (WebhookRequest, String)
    {
        let secrets = try settings.secretFiles.map { try SecretFiles.read($0).get() }
        guard let kind = WebhookReceiver.Kind(rawValue: settings.kind) else {
            throw ValidationError("receiver \(settings.id) has kind \(settings.kind)")
        }
        let receiver = WebhookReceiver(
            name: settings.id, kind: kind, url: settings.url, room: settings.room,
            secrets: secrets)
        let (due, _) = Planner.due(registry: registry, from: now, to: now.adding(seconds: 86_400 * 120))
        let summons = due.filter { $0.kind == .summons }
        guard
            let notification = summons.first(where: {
                registry.body($0.meeting.body)?.receivers.contains(settings.id)
                    == true
            }) ?? summons.first
        else {
            throw ValidationError("no summons is due in the next 120 days to send as a test")
        }
        return (
            try WebhookPayloads.request(for: notification, receiver: receiver, registry: registry, now: now),
            notification.key
        )
    }
}

