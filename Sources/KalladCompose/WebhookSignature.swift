import Crypto
import Foundation

/// Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret, space-separated,
/// so a receiver keeps working while secrets rotate. Secrets are `whsec_` + base64 of the key.
public enum WebhookSignature {
    /// The key bytes of a `whsec_…` secret, or why it is not usable.
    public static func key(_ secret: String) throws(ComposeError) -> SymmetricKey {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let bytes = Data(base64Encoded: encoded), bytes.count >= 16 else {
            throw ComposeError(
                code: "compose.webhook_secret",
                message: "a webhook secret must be whsec_ followed by base64 of at least 16 bytes",
                field: "secret")
        }
        return SymmetricKey(data: bytes)
    }

    /// The `webhook-signature` header value for `body` under every secret.
    public static func sign(
        id: String, timestamp: Int64, body: String, secrets: [String]
    ) throws(ComposeError)
        -> String
    {
        var signatures: [String] = []
        for secret in secrets {
            let mac = HMAC<SHA256>.authenticationCode(
                for: Data("\(id).\(timestamp).\(body)".utf8),
                using: try key(secret))
            signatures.append("v1," + Data(mac).base64EncodedString())
        }
        return signatures.joined(separator: " ")
    }

    /// Whether `header` holds a valid signature of `body` under any of `secrets` and `timestamp` is within
    /// `tolerance` seconds of `now` (both ways). Compares in constant time.
    public static func verify(
        id: String, timestamp: Int64, body: String, header: String, secrets: [String], now: Int64,
        tolerance: Int64 = 300
    ) -> Bool {
        guard abs(now - timestamp) <= tolerance else { return false }
        let offered = header.split(separator: " ").compactMap { part -> Data? in
            guard part.hasPrefix("v1,") else { return nil }
            return Data(base64Encoded: String(part.dropFirst(3)))
        }
        for secret in secrets {
            guard let key = try? key(secret) else { continue }
            for signature in offered
            where HMAC<SHA256>.isValidAuthenticationCode(
                signature, authenticating: Data("\(id).\(timestamp).\(body)".utf8),
                using: key)
            {
                return true
            }
        }
        return false
    }
}
