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
    /// Sends the deliveries handed over in `batches` over at most `lanes` connections side by side; the dispatcher
    /// adds a batch while the ones before are on the wire and finishes the stream when it has no more, and this
    /// returns once every delivery handed over is settled. `settled(delivery, outcome, seconds)` is called once for
    /// each delivery as soon as its outcome is known, before the lane that carried it starts another — possibly
    /// on a transport's own thread, so it must be short and must not wait.
    func send(
        _ batches: AsyncStream<[ClaimedDelivery]>, lanes: Int, now: @escaping @Sendable () -> Instant,
        settled: @escaping @Sendable (ClaimedDelivery, DeliveryOutcome, Double) -> Void
    ) async
}

extension Courier {
    /// Each batch in turn, one delivery after the other on each lane, through `send(_:now:)`.
    public func send(
        _ batches: AsyncStream<[ClaimedDelivery]>, lanes: Int, now: @escaping @Sendable () -> Instant,
        settled: @escaping @Sendable (ClaimedDelivery, DeliveryOutcome, Double) -> Void
    ) async {
        for await batch in batches { await sendOneByOne(batch, lanes: lanes, now: now, settled: settled) }
    }

    /// The deliveries one after the other on each of `lanes` lanes.
    func sendOneByOne(
        _ deliveries: [ClaimedDelivery], lanes: Int, now: @escaping @Sendable () -> Instant,
        settled: @escaping @Sendable (ClaimedDelivery, DeliveryOutcome, Double) -> Void
    ) async {
        let lanes = max(1, min(lanes, deliveries.count))
        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                let share = stride(from: lane, to: deliveries.count, by: lanes).map { deliveries[$0] }
                group.addTask {
                    let clock = ContinuousClock()
                    for delivery in share {
                        let begin = clock.now
                        let outcome = await self.send(delivery, now: now())
                        settled(delivery, outcome, (clock.now - begin).seconds)
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

    /// Mail goes over `lanes` SMTP connections that stay up from the first batch to the last — each batch joins
    /// the queue the connections work through, so the wire never waits for the next claim — each outcome settled
    /// before its connection takes the next mail; webhooks one after the other on each lane, beside it.
    public func send(
        _ batches: AsyncStream<[ClaimedDelivery]>, lanes: Int, now: @escaping @Sendable () -> Instant,
        settled: @escaping @Sendable (ClaimedDelivery, DeliveryOutcome, Double) -> Void
    ) async {
        let queue = MailQueue(open: true)
        let mailed = MailedDeliveries()
        let smtp = smtp
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let results = await smtp.send(queue, connections: lanes) { position, result in
                    let delivery = mailed.answer(position)
                    settled(delivery, Self.outcome(result, for: delivery.recipient), result.seconds)
                }
                // Mails the transport never started (the send was cancelled) are settled with what it gave back.
                for (position, delivery) in mailed.unanswered() {
                    settled(delivery, Self.outcome(results[position], for: delivery.recipient), 0)
                }
            }
            for await batch in batches {
                // Usually all are mail: then the batch goes on as it is, not copied.
                let allMail = batch.allSatisfy { $0.channel == .email }
                let others = allMail ? [] : batch.filter { $0.channel != .email }
                if !others.isEmpty {
                    group.addTask { await self.sendOneByOne(others, lanes: lanes, now: now, settled: settled) }
                }
                let mails = allMail ? batch : batch.filter { $0.channel == .email }
                mailed.add(mails)
                queue.append(mails.map { delivery in
                    OutgoingMail(
                        from: delivery.envelopeFrom ?? "", recipients: [delivery.recipient],
                        messageBytes: delivery.messageBytes)
                })
            }
            queue.finish()
        }
    }

    static func outcome(_ result: MailResult, for recipient: String) -> DeliveryOutcome {
        // A delivery's mail has one recipient: its outcome is the only one, found without hashing the address.
        if result.recipients.count == 1, let (address, outcome) = result.recipients.first, address == recipient {
            return outcome
        }
        return result.recipients[recipient] ?? .transient(nil, reason: "the transport gave no result", retryAfter: nil)
    }

    public func send(_ delivery: ClaimedDelivery, now: Instant) async -> DeliveryOutcome {
        switch delivery.channel {
        case .email:
            let mail = OutgoingMail(
                from: delivery.envelopeFrom ?? "", recipients: [delivery.recipient],
                messageBytes: delivery.messageBytes)
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

/// The deliveries in a courier's mail queue, by position, and which the transport has answered (it tells them on
/// its own thread). A delivery is added before its mail joins the queue, so every answer finds it. An answered
/// delivery's message is let go, so a round of thousands holds only the messages not yet answered.
final class MailedDeliveries: Sendable {
    private let entries = Mutex<[(delivery: ClaimedDelivery, answered: Bool)]>([])

    /// The entries are made before the lock is taken: a claim of thousands would otherwise hold it while the
    /// transport's thread waits to mark an answer.
    func add(_ deliveries: [ClaimedDelivery]) {
        let added = deliveries.map { (delivery: $0, answered: false) }
        entries.withLock { $0.append(contentsOf: added) }
    }

    /// Marks the delivery at `position` answered and returns it.
    func answer(_ position: Int) -> ClaimedDelivery {
        entries.withLock { entries in
            entries[position].answered = true
            let delivery = entries[position].delivery
            entries[position].delivery.messageBytes = []
            return delivery
        }
    }

    func unanswered() -> [(Int, ClaimedDelivery)] {
        entries.withLock { entries in entries.indices.filter { !entries[$0].answered }.map { ($0, entries[$0].delivery) } }
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
