import KalladCore

extension JSONString {
    /// `JSONString.append`, with the common case (nothing to escape: ids, names, log messages) appended whole rather
    /// than scalar by scalar. Bytes of multi-byte characters are all above 0x7F, and are never escaped.
    static func appendWhole(_ text: String, to out: inout String) {
        let plain = text.utf8.allSatisfy {
            $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\")
        }
        if plain {
            out += "\""
            out += text
            out += "\""
        } else {
            JSONString.append(text, to: &out)
        }
    }
}
