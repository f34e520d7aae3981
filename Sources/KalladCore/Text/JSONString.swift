/// A JSON string literal, written by hand where an encoder costs too much (the trigger API's answers, the stored
/// overlay) and for quoted log values: `"` and `\` escaped, `\n \r \t \b \f` by name, other control characters
/// and DEL as `\u00XX`; with `escapingSlash`, `/` as `\/` (what Foundation's JSONEncoder writes by default).
public enum JSONString {
    /// `text` in quotes, escaped.
    public static func quoted(_ text: String, escapingSlash: Bool = false) -> String {
        var out = ""
        append(text, to: &out, escapingSlash: escapingSlash)
        return out
    }

    /// Appends `text` in quotes, escaped, to `out`.
    public static func append(_ text: String, to out: inout String, escapingSlash: Bool = false) {
        // Most text needs no escape: a byte scan (every byte of a multi-byte character is above 127) and one append.
        let plain = text.utf8.allSatisfy { byte in
            byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte != 0x7F
                && (byte != UInt8(ascii: "/") || !escapingSlash)
        }
        if plain {
            out += "\""
            out += text
            out += "\""
            return
        }
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where escapingSlash: out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension JSONString {
    /// Appends `text` in quotes, escaped as `append(_:to:escapingSlash:)` escapes it, as UTF-8 bytes to `out`.
    public static func append(_ text: String, toBytes out: inout [UInt8], escapingSlash: Bool = false) {
        var text = text
        text.withUTF8 { appendEscaped($0, to: &out, escapingSlash: escapingSlash) }
    }

    /// Appends the UTF-8 text `utf8` in quotes, escaped, to `out`.
    public static func append(utf8: [UInt8], toBytes out: inout [UInt8], escapingSlash: Bool = false) {
        utf8.withUnsafeBufferPointer { appendEscaped($0, to: &out, escapingSlash: escapingSlash) }
    }

    /// Runs of bytes that need no escape are copied whole.
    private static func appendEscaped(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], escapingSlash: Bool) {
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        for index in 0..<text.count {
            let byte = text[index]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte != 0x7F
                && (byte != UInt8(ascii: "/") || !escapingSlash)
            {
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<index]))
            runStart = index + 1
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "/"): out.append(contentsOf: #"\/"#.utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
            case 0x08: out.append(contentsOf: #"\b"#.utf8)
            case 0x0C: out.append(contentsOf: #"\f"#.utf8)
            default:
                // A control character or DEL. Bytes of a multi-byte scalar are all 0x80 or above, so a byte below
                // 0x20 is a scalar of its own.
                func hex(_ digit: UInt8) -> UInt8 { digit < 10 ? digit + 0x30 : digit - 10 + 0x61 }
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex(byte >> 4))
                out.append(hex(byte & 0xF))
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<text.count]))
        out.append(UInt8(ascii: "\""))
    }
}
