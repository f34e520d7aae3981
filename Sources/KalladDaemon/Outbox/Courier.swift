import Foundation
import Synchronization
public import KalladCompose
public import KalladCore
public import KalladStore
public import KalladTransport

/// Carries a claimed delivery to its recipient and says what became of it.
public protocol Courier: Sendable {
    /// Sends one delivery at `now`.
    func send(_ delivery: ClaimedDelivery, now: Instant) async -> DeliveryOutcome
    /// Sends the deliveries over at most `lanes` connections side by side. `settled(index, outcome, seconds)` is
    /// called once for each delivery as soon as its outcome is known, before the lane that carried it starts
    /// another — possibly on a transport's own thread, so it must be short and must not wait.
    func send(
        _ deliveries: [ClaimedDelivery], lanes: Int, now: @escaping @Sendable () -> Instant,
        settled: @escaping @Sendable (Int, DeliveryOutcome, Double) -> Void
    ) async
}

extension Courier {
    /// One delivery after the other on each lane, through `send(_:now:)`.
    public func send(
        _ deliveries: [ClaimedDelivery], lanes: Int, now: @escaping @Sendable () -> Instant,
        settled: @escaping @Sendable (Int, DeliveryOutcome, Double) -> Void
    ) async {
        await sendOneByOne(Array(deliveries.indices), of: deliveries, lanes: lanes, now: now, settled: settled)
    }

    /// The deliveries at `indices`, one after the other on each of `lanes` lanes.
    func sendOneByOne(
        _ indices: [Int], of deliveries: [ClaimedDelivery], lanes: Int, now: @escaping @Sendable () -> Instant,
        settled: @escaping @Sendable (Int, DeliveryOutcome, Double) -> Void
    ) async {
        let lanes = max(1, min(lanes, indices.count))
        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                let share = stride(from: lane, to: indices.count, by: lanes).map { indices[$0] }
                group.addTask {
                    let clock = ContinuousClock()
                    for index in share {
                        let begin = clock.now
                        let outcome = await self.send(deliveries[index], now: now())
                        settled(index, outcome, (clock.now - begin).seconds)
                    }
                }
            }
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
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

    /// Mail goes in one batch over `lanes` SMTP connections, each outcome settled before its connection takes the
    /// next mail; webhooks one after the other on each lane, beside it.
    public func send(
        _ deliveries: [ClaimedDelivery], lanes: Int, now: @escaping @Sendable () -> Instant,
        settled: @escaping @Sendable (Int, DeliveryOutcome, Double) -> Void
    ) async {
        let mailIndices = deliveries.indices.filter { deliveries[$0].channel == .email }
        let otherIndices = deliveries.indices.filter { deliveries[$0].channel != .email }
        async let others: Void = sendOneByOne(otherIndices, of: deliveries, lanes: lanes, now: now, settled: settled)
        let mails = mailIndices.map { index in
            let delivery = deliveries[index]
            return OutgoingMail(
                from: delivery.envelopeFrom ?? "", recipients: [delivery.recipient], message: delivery.message)
        }
        let answered = AnsweredMails(count: mails.count)
        let results = await smtp.send(mails, connections: lanes) { position, result in
            answered.mark(position)
            let index = mailIndices[position]
            settled(index, Self.outcome(result, for: deliveries[index].recipient), result.seconds)
        }
        // Mails the transport never started (the batch was cancelled) are settled with what it gave back.
        for position in answered.unanswered() {
            let index = mailIndices[position]
            settled(index, Self.outcome(results[position], for: deliveries[index].recipient), 0)
        }
        await others
    }

    static func outcome(_ result: MailResult, for recipient: String) -> DeliveryOutcome {
        result.recipients[recipient] ?? .transient(nil, reason: "the transport gave no result", retryAfter: nil)
    }

    public func send(_ delivery: ClaimedDelivery, now: Instant) async -> DeliveryOutcome {
        switch delivery.channel {
        case .email:
            let mail = OutgoingMail(
                from: delivery.envelopeFrom ?? "", recipients: [delivery.recipient], message: delivery.message)
            let result = await smtp.send([mail])
            return result.first.map { Self.outcome($0, for: delivery.recipient) }
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

/// Which mails of a batch the transport has answered (it tells them on its own thread).
final class AnsweredMails: Sendable {
    private let answered: Mutex<[Bool]>

    init(count: Int) { answered = Mutex(Array(repeating: false, count: count)) }

    func mark(_ position: Int) { answered.withLock { $0[position] = true } }

    func unanswered() -> [Int] { answered.withLock { list in list.indices.filter { !list[$0] } } }
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
