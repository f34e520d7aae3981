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

/// A system's secrets made ready for verifying many signatures: each key's HMAC state (the key padded and hashed
/// once, RFC 2104) is prepared when the configuration loads, and a request hashes only `id.timestamp.body`, straight
/// from its bytes. Same answers as `WebhookSignature.verify`.
public struct WebhookVerifier: @unchecked Sendable {
    // @unchecked: HMAC is a value (its hash state is copy-on-write); the prepared states are only ever copied.
    let prepared: [HMAC<SHA256>]

    /// Prepares the usable secrets (`whsec_` + base64 of at least 16 bytes); others are left out, as `verify` does.
    public init(secrets: [String]) {
        prepared = secrets.compactMap { try? WebhookSignature.key($0) }.map { HMAC<SHA256>(key: $0) }
    }

    /// How many secrets can verify.
    public var count: Int { prepared.count }

    /// Whether `header` holds a `v1,` signature of `id.timestamp.body` under any of the secrets. Compares in
    /// constant time. The timestamp window is the caller's to check.
    public func verify(id: String, timestamp: Int64, body: String, header: String) -> Bool {
        // The header's `v1,` signatures, decoded straight from its bytes (parts are separated by spaces).
        var offered: [[UInt8]] = []
        var header = header
        header.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: " ") { end += 1 }
                let part = bytes[start..<end]
                if part.starts(with: "v1,".utf8), let signature = Self.base64(part.dropFirst(3)) {
                    offered.append(signature)
                }
                start = end + 1
            }
        }
        guard !offered.isEmpty else { return false }
        // The signed content in one buffer: swift-crypto's update is generic over DataProtocol and costs the
        // same per call whatever the length, so it is called once.
        var content: [UInt8] = []
        content.reserveCapacity(id.utf8.count + body.utf8.count + 24)
        content += id.utf8
        content.append(UInt8(ascii: "."))
        content += String(timestamp).utf8
        content.append(UInt8(ascii: "."))
        content += body.utf8
        var found = false
        for state in prepared {
            var mac = state
            content.withUnsafeBytes { mac.update(data: $0) }
            mac.finalize().withUnsafeBytes { expected in
                for signature in offered where Self.same(signature, expected) { found = true }
            }
        }
        return found
    }

    /// Standard base64 with its padding (as `Data(base64Encoded:)` reads it), or nil; read from the header's bytes
    /// without making strings of them.
    static func base64(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var group: UInt32 = 0
        var filled = 0
        var padding = 0
        for byte in text {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                padding += 1
                value = 0
            default: return nil
            }
            // Padding only at the end of the last group.
            if byte != UInt8(ascii: "="), padding > 0 { return nil }
            group = group << 6 | UInt32(value)
            filled += 1
            if filled == 4 {
                out.append(UInt8(truncatingIfNeeded: group >> 16))
                out.append(UInt8(truncatingIfNeeded: group >> 8))
                out.append(UInt8(truncatingIfNeeded: group))
                group = 0
                filled = 0
            }
        }
        guard padding <= 2 else { return nil }
        out.removeLast(padding)
        return out
    }

    /// Equal bytes, compared without stopping at the first difference.
    static func same(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
