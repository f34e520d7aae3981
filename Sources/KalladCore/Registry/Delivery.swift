/// How notifications leave Kallad: the service's address and the transport. Secrets are never in the
/// configuration itself: it names files (or systemd credentials) to read them from.
public struct DeliverySettings: Hashable, Sendable {
    /// Where mail goes.
    public enum Transport: String, Hashable, Sendable {
        /// `.eml` and `.json` files into `folder` (the default; the demo and dry runs).
        case folder
        /// An SMTP server.
        case smtp
    }

    /// Folder or SMTP.
    public var transport: Transport
    /// The folder for the folder transport.
    public var folder: String
    /// The service's own address: envelope sender, and From unless `fromConvener`.
    public var serviceAddress: String
    /// The service's display name.
    public var serviceName: String
    /// From is the convener (with Sender the service) instead of the service (with Reply-To the convener).
    public var fromConvener: Bool
    /// `smtp://host:port` (STARTTLS) or `smtps://host:port`.
    public var smtpURL: String?
    /// Require STARTTLS on `smtp://` (default true).
    public var requireTLS: Bool
    /// A CA bundle to verify the server with.
    public var caFile: String?
    /// AUTH user.
    public var username: String?
    /// A file (or the name of a systemd credential) holding the SMTP password.
    public var passwordFile: String?

    /// Creates settings; the defaults deliver to `out/mail`.
    public init(
        transport: Transport = .folder, folder: String = "out/mail", serviceAddress: String = "kallad@example.se",
        serviceName: String = "Kallad", fromConvener: Bool = false, smtpURL: String? = nil, requireTLS: Bool = true,
        caFile: String? = nil, username: String? = nil, passwordFile: String? = nil
    ) {
        self.transport = transport
        self.folder = folder
        self.serviceAddress = serviceAddress
        self.serviceName = serviceName
        self.fromConvener = fromConvener
        self.smtpURL = smtpURL
        self.requireTLS = requireTLS
        self.caFile = caFile
        self.username = username
        self.passwordFile = passwordFile
    }
}

/// A webhook or chat receiver that bodies name under `receivers`.
public struct ReceiverSettings: Hashable, Sendable, Identifiable {
    /// Its name.
    public var id: String
    /// `standard`, `slack`, `teams` or `matrix`.
    public var kind: String
    /// The webhook URL, or the Matrix homeserver's base URL.
    public var url: String
    /// The Matrix room id.
    public var room: String?
    /// Files (or systemd credential names) with the secrets: Standard Webhooks `whsec_…` (newest first) or the
    /// Matrix access token.
    public var secretFiles: [String]
    /// Where it is declared.
    public var location: SourceLocation?

    /// Creates a receiver.
    public init(
        id: String, kind: String, url: String, room: String? = nil, secretFiles: [String] = [],
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.kind = kind
        self.url = url
        self.room = room
        self.secretFiles = secretFiles
        self.location = location
    }

    /// The kinds a receiver may be.
    public static let kinds = ["standard", "slack", "teams", "matrix"]
}
