/// A store failure as a value: a code, a message, and where (the database path and the operation).
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `store.open`, `store.io`, `store.full`, `store.readonly`, `store.not_found`, `store.state`, `store.corrupt`.
    public var code: String
    /// What went wrong and what to do.
    public var message: String
    /// The database and the operation (`/var/lib/kallad/kallad.sqlite: claim`).
    public var place: String

    /// Creates an error.
    public init(code: String, message: String, place: String) {
        self.code = code
        self.message = message
        self.place = place
    }

    /// `place: message [code]`.
    public var description: String { "\(place): \(message) [\(code)]" }
}
