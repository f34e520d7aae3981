import Foundation

/// Reads secrets the configuration names: a file path, or the name of a systemd credential
/// (`$CREDENTIALS_DIRECTORY/<name>`). Trailing line breaks are dropped.
public enum SecretFiles {
    /// The secret, or why it could not be read (the message names the file, never its contents).
    public static func read(
        _ name: String, credentialsDirectory: String? = Environment.value("CREDENTIALS_DIRECTORY")
    )
        -> Result<String, DaemonError>
    {
        var candidates = [name]
        if let credentialsDirectory, !name.contains("/") { candidates.insert("\(credentialsDirectory)/\(name)", at: 0) }
        for path in candidates where FileManager.default.isReadableFile(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else {
                return .failure(
                    DaemonError(code: "secret.unreadable", message: "cannot read the secret file", place: path))
            }
            let trimmed = String(text.reversed().drop { $0 == "\n" || $0 == "\r" }.reversed())
            guard !trimmed.isEmpty else {
                return .failure(DaemonError(code: "secret.empty", message: "the secret file is empty", place: path))
            }
            return .success(trimmed)
        }
        return .failure(
            DaemonError(
                code: "secret.missing", message: "no such file, and no systemd credential of that name", place: name))
    }
}

/// A daemon error value: a stable code, a message, and the place (file, field, request part) it is about.
public struct DaemonError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable, dotted (`config.invalid`, `secret.missing`).
    public var code: String
    /// What went wrong.
    public var message: String
    /// Where: a file, a field, a header.
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
