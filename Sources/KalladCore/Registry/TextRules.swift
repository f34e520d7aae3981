/// Rules for e-mail addresses Kallad will put in an envelope or a header.
public enum EmailAddress {
    /// Why `address` is not acceptable, or `nil` when it is: one `@`, a non-empty local part and a domain with a
    /// dot, printable ASCII only (no spaces, angle brackets, quotes, CR, LF or NUL: header injection is impossible).
    public static func problem(_ address: String) -> String? {
        // Read in place, byte by byte: a national registry checks tens of thousands of addresses.
        var address = address
        return address.withUTF8(problem(bytes:))
    }

    private static func problem(bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
            return "contains a line break or NUL, which could inject mail headers"
        }
        if bytes.count > 254 { return "is longer than 254 characters" }
        guard bytes.allSatisfy({ $0 > 32 && $0 < 127 && !isSpecial($0) }) else {
            return "has a space, a non-ASCII character or one of <>()[]\\,;:\""
        }
        // Printable ASCII from here on: a byte is a character.
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, at <= 64,
            !bytes[(at + 1)...].contains(UInt8(ascii: "@"))
        else { return "is not of the form local@domain" }
        // The domain's labels (split at each dot, empty ones kept): at least two, each 1–63 bytes, no dash at
        // either end.
        var labels = 0
        var labelStart = at + 1
        for end in (at + 1)...bytes.count where end == bytes.count || bytes[end] == UInt8(ascii: ".") {
            let count = end - labelStart
            guard count > 0, count <= 63, bytes[labelStart] != UInt8(ascii: "-"),
                bytes[end - 1] != UInt8(ascii: "-")
            else { return "has no valid domain (e.g. example.se)" }
            labels += 1
            labelStart = end + 1
        }
        guard labels >= 2 else { return "has no valid domain (e.g. example.se)" }
        return nil
    }

    /// One of `<>()[]\,;:"`.
    private static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"),
            UInt8(ascii: "\""):
            true
        default: false
        }
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
