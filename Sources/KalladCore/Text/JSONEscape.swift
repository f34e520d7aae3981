/// JSON's escapes of one character (RFC 8259 §7), read byte by byte: the byte after the backslash → the byte it
/// stands for. `\u` (four hexadecimal digits) is left to the reader, which knows what to do with surrogates.
public enum JSONEscape {
    /// The byte that `\` followed by `byte` stands for; nil for `u` and for anything that is not an escape.
    @inlinable
    public static func simple(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }
}
