/// RFC 5545 content lines: escaping of TEXT values and folding at 75 octets without splitting a UTF-8 character.
enum ContentLines {
    /// Escapes a TEXT value: backslash, semicolon, comma and line breaks (RFC 5545 §3.3.11).
    static func escapeText(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousWasCR { out += "\\n" }
            default:
                // Other control characters are not allowed in TEXT; drop them.
                if scalar.value < 32 || scalar.value == 127 { break }
                out.unicodeScalars.append(scalar)
            }
            previousWasCR = scalar == "\r"
        }
        return out
    }

    /// A parameter value, quoted when it holds `:`, `;` or `,`; double quotes are not allowed and become single.
    static func parameterValue(_ value: String) -> String {
        let clean = String(value.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 })
            .replacingCharacters("\"", with: "'")
        return clean.contains(where: { ":;,".contains($0) }) ? "\"\(clean)\"" : clean
    }

    /// One logical line folded to physical lines of at most 75 octets, joined by CRLF + space; ends with CRLF.
    static func fold(_ line: String) -> String {
        var out = ""
        var count = 0
        for character in line {
            let octets = String(character).utf8.count
            if count + octets > 75 {
                out += "\r\n "
                count = 1
            }
            out.append(character)
            count += octets
        }
        return out + "\r\n"
    }
}

extension String {
    func replacingCharacters(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
