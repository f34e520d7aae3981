import Foundation
public import KalladCore
import KalladStore
public import KalladTransport

/// Where the outbox lives and how deliveries travel, worked out from the configuration and the environment.
public enum OutboxSetup {
    /// The database path: `settings.outbox.database`, below `$STATE_DIRECTORY` (systemd) when relative, else below
    /// the working directory; `override` (a command-line option) wins.
    public static func databasePath(
        _ registry: Registry, override: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let path = override ?? registry.settings.outbox.database
        if path.hasPrefix("/") { return path }
        if override == nil, let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first {
            return "\(state)/\(path)"
        }
        return path
    }

    /// The SMTP settings of `settings.delivery`, with the password read from its file or credential.
    public static func smtpSettings(_ delivery: DeliverySettings) throws(DaemonError) -> SMTPSettings {
        let password = try delivery.passwordFile.map { name throws(DaemonError) in try SecretFiles.read(name).get() }
        return SMTPSettings(
            url: delivery.smtpURL ?? "", requireTLS: delivery.requireTLS, caFile: delivery.caFile,
            username: delivery.username, password: password)
    }

    /// The courier of the configured transport: a folder, or SMTP and HTTP. `folder` overrides the transport
    /// with a folder (dry runs and simulations).
    public static func courier(_ registry: Registry, folder: String? = nil) throws -> any Courier {
        let delivery = registry.settings.delivery
        let toFolder = folder ?? (delivery.transport == .folder ? delivery.folder : nil)
        let receivers = try ReceiverDirectory(registry: registry, secretsOptional: toFolder != nil)
        if let toFolder { return FolderCourier(folder: toFolder, receivers: receivers) }
        return NetworkCourier(smtp: try smtpSettings(delivery), receivers: receivers)
    }
}
