import Foundation
public import KalladCompose
public import KalladCore
public import KalladStore
public import KalladTransport

/// Carries a claimed delivery to its recipient and says what became of it.
public protocol Courier: Sendable {
    /// Sends one delivery at `now`.
    func send(_ delivery: ClaimedDelivery, now: Instant) async -> DeliveryOutcome
}

/// Webhook and chat receivers with their secrets, read once per configuration (and again on reload).
public struct ReceiverDirectory: Sendable {
    /// Receivers by name.
    public let receivers: [String: WebhookReceiver]

    /// Reads every receiver's secret files; a secret that cannot be read is an error naming the receiver, unless
    /// `secretsOptional` (a dry run into a folder, where a missing secret only leaves the request unsigned).
    public init(
        registry: Registry, secretsOptional: Bool = false,
        readSecret: (String) throws -> String = { try SecretFiles.read($0).get() }
    ) throws {
        var receivers: [String: WebhookReceiver] = [:]
        for (name, settings) in registry.receivers {
            guard let kind = WebhookReceiver.Kind(rawValue: settings.kind) else { continue }
            let secrets = try settings.secretFiles.compactMap { file -> String? in
                do {
                    return try readSecret(file)
                } catch where secretsOptional {
                    return nil
                }
            }
            receivers[name] = WebhookReceiver(
                name: name, kind: kind, url: settings.url, room: settings.room, secrets: secrets)
        }
        self.receivers = receivers
    }

    /// The request for a stored delivery, signed (or given its token) at `now`.
    func request(for delivery: ClaimedDelivery, receiver name: String, now: Instant) -> Result<WebhookRequest, CourierProblem> {
        guard let receiver = receivers[name] else {
            return .failure(CourierProblem("no receiver '\(name)' in the configuration any more"))
        }
        guard let stored = try? JSONDecoder().decode(WebhookRequest.self, from: Data(delivery.message.utf8)) else {
            return .failure(CourierProblem("the stored request for \(name) is not readable"))
        }
        do {
            return .success(try WebhookPayloads.authorize(stored, receiver: receiver, now: now))
        } catch {
            return .failure(CourierProblem("\(error)"))
        }
    }
}

/// Writes each delivery into a folder: mail as `<key>.eml`, webhooks as `<key>.json` (method, URL, headers, body).
/// The bundled configuration's transport and `kallad simulate`'s: nothing leaves the machine.
public struct FolderCourier: Courier {
    let folder: FolderTransport
    let receivers: ReceiverDirectory

    /// Creates a courier into `folder`.
    public init(folder: String, receivers: ReceiverDirectory) {
        self.folder = FolderTransport(folder: folder)
        self.receivers = receivers
    }

    public func send(_ delivery: ClaimedDelivery, now: Instant) async -> DeliveryOutcome {
        let name = "\(delivery.notificationKey)/\(delivery.recipient)"
        switch delivery.channel {
        case .email:
            return folder.deliver(name: name + ".eml", content: delivery.message)
        case .receiver(let receiver):
            var request: WebhookRequest
            switch receivers.request(for: delivery, receiver: receiver, now: now) {
            case .success(let signed):
                request = signed
            case .failure(let problem):
                // A dry run without the secret: keep the request as it would go, and say why it is unsigned.
                guard let stored = try? JSONDecoder().decode(WebhookRequest.self, from: Data(delivery.message.utf8))
                else { return .configuration(reason: problem.message) }
                request = stored
                request.headers["x-kallad-unsigned"] = problem.message
            }
            let json = (try? JSONEncoder.sorted.encode(request)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return folder.deliver(name: name + ".json", content: json)
        }
    }
}

/// Sends mail over SMTP and webhooks over HTTP, both through libcurl.
public struct NetworkCourier: Courier {
    let smtp: SMTPTransport
    let http: HTTPTransport
    let receivers: ReceiverDirectory

    /// Creates a courier.
    public init(smtp: SMTPSettings, http: HTTPSettings = HTTPSettings(), receivers: ReceiverDirectory) {
        self.smtp = SMTPTransport(settings: smtp)
        self.http = HTTPTransport(settings: http)
        self.receivers = receivers
    }

    public func send(_ delivery: ClaimedDelivery, now: Instant) async -> DeliveryOutcome {
        switch delivery.channel {
        case .email:
            let mail = OutgoingMail(
                from: delivery.envelopeFrom ?? "", recipients: [delivery.recipient], message: delivery.message)
            let result = await smtp.send([mail])
            return result.first?.recipients[delivery.recipient]
                ?? .transient(nil, reason: "the transport gave no result", retryAfter: nil)
        case .receiver(let receiver):
            switch receivers.request(for: delivery, receiver: receiver, now: now) {
            case .failure(let problem):
                return .configuration(reason: problem.message)
            case .success(let request):
                let outcomes = await http.send([
                    OutgoingRequest(method: request.method, url: request.url, headers: request.headers, body: request.body)
                ])
                return outcomes.first ?? .transient(nil, reason: "the transport gave no result", retryAfter: nil)
            }
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }
}

/// Why a delivery could not even be attempted.
struct CourierProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
