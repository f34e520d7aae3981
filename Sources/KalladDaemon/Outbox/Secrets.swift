import Foundation

/// Secrets named in the configuration: a file path, or the name of a systemd credential
/// (`$CREDENTIALS_DIRECTORY/<name>`). Trailing line breaks are dropped.
public enum Secrets {
    /// The secret's text.
    public static func read(_ name: String) throws(SecretError) -> String {
        var candidates = [name]
        if let directory = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] {
            candidates.append("\(directory)/\(name)")
        }
        for path in candidates where FileManager.default.isReadableFile(atPath: path) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw SecretError(name: name, message: "cannot read the secret '\(name)' as UTF-8 text from \(path)")
            }
            return String(text.reversed().drop { $0 == "\n" || $0 == "\r" }.reversed())
        }
        throw SecretError(
            name: name, message: "cannot read the secret '\(name)': no such file, and no systemd credential of that name")
    }
}

/// A secret that could not be read.
public struct SecretError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file or credential name.
    public var name: String
    /// What went wrong.
    public var message: String

    /// `message`.
    public var description: String { message }
}
