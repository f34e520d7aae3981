/// Rules for e-mail addresses Kallad will put in an envelope or a header.
public enum EmailAddress {
    private static let special = Array("<>()[]\\,;:\"".utf8)

    /// Why `address` is not acceptable, or `nil` when it is: one `@`, a non-empty local part and a domain with a
    /// dot, printable ASCII only (no spaces, angle brackets, quotes, CR, LF or NUL: header injection is impossible).
    public static func problem(_ address: String) -> String? {
        let bytes = Array(address.utf8)
        if bytes.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
            return "contains a line break or NUL, which could inject mail headers"
        }
        if bytes.count > 254 { return "is longer than 254 characters" }
        guard bytes.allSatisfy({ $0 > 32 && $0 < 127 && !Self.special.contains($0) }) else {
            return "has a space, a non-ASCII character or one of <>()[]\\,;:\""
        }
        // Printable ASCII from here on: a byte is a character.
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, at <= 64,
            !bytes[(at + 1)...].contains(UInt8(ascii: "@"))
        else { return "is not of the form local@domain" }
        let labels = bytes[(at + 1)...].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2,
            labels.allSatisfy({
                !$0.isEmpty && $0.count <= 63 && $0.first != UInt8(ascii: "-") && $0.last != UInt8(ascii: "-")
            })
        else { return "has no valid domain (e.g. example.se)" }
        return nil
    }
}

/// Rules for text that ends up in a mail header or a calendar property (names, titles, places).
public enum HeaderText {
    /// Why `text` is not acceptable, or `nil`: no CR, LF, NUL or other control characters.
    public static func problem(_ text: String) -> String? {
        // In UTF-8 a byte below 0x80 is always a whole scalar, so the control characters are found among the bytes.
        if text.utf8.contains(where: { $0 < 32 || $0 == 127 }) {
            return "contains a line break or control character"
        }
        return nil
    }
}
