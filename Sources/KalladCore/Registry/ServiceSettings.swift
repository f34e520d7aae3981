/// How `kallad run` serves: where it listens, which other systems may send triggers and what they may touch.
/// Secrets are never in the configuration: it names files (or systemd credentials) to read them from.
public struct ServiceSettings: Hashable, Sendable {
    /// The address the HTTP API listens on.
    public var host: String
    /// The TCP port (0 lets the system choose one, for tests).
    public var port: Int
    /// Systems allowed to post triggers.
    public var systems: [SendingSystem]
    /// A file (or systemd credential name) holding the Bearer token for the read endpoints; `nil` closes them.
    public var readTokenFile: String?
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var logLevel: String
    /// The body `deviation.reported` goes to when neither the trigger nor its system names one.
    public var deviationBody: String?
    /// Where the block is declared.
    public var location: SourceLocation?

    /// Creates settings; the defaults listen on 127.0.0.1:8470 and accept no triggers.
    public init(
        host: String = "127.0.0.1", port: Int = 8470, systems: [SendingSystem] = [], readTokenFile: String? = nil,
        logLevel: String = "info", deviationBody: String? = nil, location: SourceLocation? = nil
    ) {
        self.host = host
        self.port = port
        self.systems = systems
        self.readTokenFile = readTokenFile
        self.logLevel = logLevel
        self.deviationBody = deviationBody
        self.location = location
    }

    /// The log levels `log_level` accepts, most verbose first.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// The system with a name, if any.
    public func system(_ name: String) -> SendingSystem? { systems.first { $0.name == name } }

    /// `host:port`, or `(host, port)` with the problem of a `listen:` value.
    public static func parseListen(_ text: String) -> Result<(host: String, port: Int), ListenProblem> {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(ListenProblem(message: "an IPv6 address must be written [address]:port"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                return .failure(ListenProblem(message: "must be host:port"))
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else {
            return .failure(ListenProblem(message: "names no host"))
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            return .failure(ListenProblem(message: "has no port between 0 and 65535"))
        }
        return .success((String(host), port))
    }
}

/// Why a `listen:` value is not usable.
public struct ListenProblem: Error, Hashable, Sendable {
    /// What is wrong.
    public var message: String
}

/// Another system (a case management system, an incident register) that posts signed triggers.
public struct SendingSystem: Hashable, Sendable, Identifiable {
    /// Its name; triggers name it in the `kallad-system` header.
    public var name: String
    /// Files (or systemd credential names) with its Standard Webhooks `whsec_…` secrets, newest first.
    public var secretFiles: [String]
    /// The bodies it may touch; `nil` means every body (`bodies: ["*"]`).
    public var bodies: Set<String>?
    /// The body its `deviation.reported` triggers go to, unless the trigger names one.
    public var deviationBody: String?
    /// Where it is declared.
    public var location: SourceLocation?

    /// Identifiable.
    public var id: String { name }

    /// Creates a system.
    public init(
        name: String, secretFiles: [String], bodies: Set<String>?, deviationBody: String? = nil,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.secretFiles = secretFiles
        self.bodies = bodies
        self.deviationBody = deviationBody
        self.location = location
    }

    /// Whether it may change `body`'s meetings.
    public func mayTouch(body: String) -> Bool { bodies?.contains(body) ?? true }
}
