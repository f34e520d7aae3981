import Foundation
import Hummingbird
import KalladCompose
public import KalladCore

/// The Standard Webhooks headers of a trigger request.
public struct WebhookHeaders: Sendable, Hashable {
    /// `webhook-id`.
    public var id: String?
    /// `webhook-timestamp` (Unix seconds).
    public var timestamp: String?
    /// `webhook-signature` (`v1,<base64>` …).
    public var signature: String?
    /// `kallad-system`: the sending system's name (optional).
    public var system: String?

    /// Creates headers.
    public init(id: String?, timestamp: String?, signature: String?, system: String?) {
        self.id = id
        self.timestamp = timestamp
        self.signature = signature
        self.system = system
    }
}

/// Decides who sent a trigger: checks the Standard Webhooks headers, the ±5 minute window, and the signature
/// against the secrets of the system named in `kallad-system` or, without that header, of every configured system
/// in turn (the first whose secret verifies is the sender). Pure: `now` is passed in.
public enum TriggerAuthenticator {
    /// Seconds a timestamp may be off, both ways.
    public static let tolerance: Int64 = 300

    /// The sending system, or a 401 problem saying what is wrong.
    public static func authenticate(
        _ headers: WebhookHeaders, body: String, config: LoadedConfig, now: Instant
    ) -> Result<SendingSystem, Problem> {
        func refuse(_ code: String, _ detail: String, _ field: String) -> Result<SendingSystem, Problem> {
            .failure(
                Problem(
                    .unauthorized, code: code, detail: detail, fields: [FieldProblem(field: field, message: detail)]))
        }
        guard let id = headers.id, !id.isEmpty else {
            return refuse("trigger.unsigned", "the webhook-id header is missing", "webhook-id")
        }
        guard id.utf8.count <= 128, id.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && $0 != "/" })
        else {
            return refuse(
                "trigger.bad_id", "webhook-id must be at most 128 printable ASCII characters without / or spaces",
                "webhook-id")
        }
        guard let timestampText = headers.timestamp else {
            return refuse("trigger.unsigned", "the webhook-timestamp header is missing", "webhook-timestamp")
        }
        guard let timestamp = Int64(timestampText) else {
            return refuse("trigger.bad_timestamp", "webhook-timestamp must be Unix seconds", "webhook-timestamp")
        }
        guard abs(now.secondsSinceEpoch - timestamp) <= tolerance else {
            return refuse(
                "trigger.stale", "webhook-timestamp is more than 5 minutes from the server's clock", "webhook-timestamp"
            )
        }
        guard let signature = headers.signature, !signature.isEmpty else {
            return refuse("trigger.unsigned", "the webhook-signature header is missing", "webhook-signature")
        }
        let candidates: [SendingSystem]
        if let name = headers.system {
            guard let system = config.service.system(name) else {
                return refuse("trigger.unknown_system", "no sending system is configured by that name", "kallad-system")
            }
            candidates = [system]
        } else {
            candidates = config.service.systems
        }
        for system in candidates {
            if let verifier = config.systemVerifiers[system.name],
                verifier.verify(id: id, timestamp: timestamp, body: body, header: signature)
            {
                return .success(system)
            }
        }
        return refuse("trigger.signature", "no configured secret verifies webhook-signature", "webhook-signature")
    }
}
