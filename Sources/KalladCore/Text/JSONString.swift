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
        appendEscaped(text.utf8, to: &out, escapingSlash: escapingSlash)
    }

    /// Appends the UTF-8 text `utf8` in quotes, escaped, to `out`.
    public static func append(utf8: [UInt8], toBytes out: inout [UInt8], escapingSlash: Bool = false) {
        appendEscaped(utf8, to: &out, escapingSlash: escapingSlash)
    }

    private static func appendEscaped<Text: Sequence<UInt8>>(_ text: Text, to out: inout [UInt8], escapingSlash: Bool) {
        out.append(UInt8(ascii: "\""))
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "/") where escapingSlash: out.append(contentsOf: #"\/"#.utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
            case 0x08: out.append(contentsOf: #"\b"#.utf8)
            case 0x0C: out.append(contentsOf: #"\f"#.utf8)
            case 0..<0x20, 0x7F:
                // Bytes of a multi-byte scalar are all 0x80 or above, so a byte below 0x20 is a scalar of its own.
                func hex(_ digit: UInt8) -> UInt8 { digit < 10 ? digit + 0x30 : digit - 10 + 0x61 }
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex(byte >> 4))
                out.append(hex(byte & 0xF))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
