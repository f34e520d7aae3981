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
