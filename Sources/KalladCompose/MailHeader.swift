import Foundation
import KalladCore

/// RFC 5322 / RFC 2047 header pieces: encoded words, mailboxes, dates.
public enum MailHeader {
    /// Refuses CR, LF, NUL and other control characters, which could inject headers.
    public static func checkValue(_ value: String, field: String) throws(ComposeError) {
        if let problem = HeaderText.problem(value) {
            throw ComposeError(code: "compose.header_injection", message: "the value \(problem)", field: field)
        }
    }

    /// An address checked for the envelope and the header.
    public static func checkAddress(_ address: String, field: String) throws(ComposeError) {
        if let problem = EmailAddress.problem(address) {
            throw ComposeError(code: "compose.bad_address", message: "'\(address)' \(problem)", field: field)
        }
    }

    /// Printable ASCII without the characters that need care in a header.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 32 && $0 < 127 }
    }

    /// The text as RFC 2047 `=?UTF-8?B?…?=` words (each at most 75 characters, never splitting a character) joined
    /// by CRLF SP, or the text itself when it is plain ASCII.
    public static func encodedWords(_ text: String) -> String {
        if isPlain(text) { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        // 75 − len("=?UTF-8?B?") − len("?=") = 63 base64 characters → 45 bytes (a multiple of 3).
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// `Name <address>`, the name encoded or quoted as needed.
    public static func mailbox(name: String, address: String, field: String) throws(ComposeError) -> String {
        try checkValue(name, field: field)
        try checkAddress(address, field: field)
        if name.isEmpty { return "<\(address)>" }
        if isPlain(name) {
            let needsQuotes = name.contains { "()<>[]:;@\\,.\"".contains($0) }
            let escaped = name.replacingCharacters("\\", with: "\\\\").replacingCharacters("\"", with: "\\\"")
            return (needsQuotes ? "\"\(escaped)\"" : name) + " <\(address)>"
        }
        return "\(encodedWords(name)) <\(address)>"
    }

    /// RFC 5322 date: `Mon, 23 Nov 2026 08:00:00 +0100`.
    public static func date(_ instant: Instant, zone: ZoneRules) -> String {
        let offset = zone.offset(at: instant)
        let (date, second) = instant.adding(seconds: Int64(offset)).utcParts
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        let sign = offset < 0 ? "-" : "+"
        return "\(days[date.weekday.index]), \(two(date.day)) \(months[date.month - 1]) \(date.year) "
            + "\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60)) "
            + "\(sign)\(two(abs(offset) / 3600))\(two(abs(offset) / 60 % 60))"
    }

    /// FNV-1a, 64 bits, as 16 hex digits: stable ids (Message-ID, boundaries) from an idempotency key.
    public static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
