/// Why a message could not be composed: a stable code, what is wrong, and which field.
public struct ComposeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable code, e.g. `compose.header_injection`.
    public var code: String
    /// What is wrong.
    public var message: String
    /// The field, e.g. `To` or `Subject`.
    public var field: String

    /// Creates an error.
    public init(code: String, message: String, field: String) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// `field: message [code]`.
    public var description: String { "\(field): \(message) [\(code)]" }
}
