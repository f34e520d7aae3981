import Foundation

/// Delivers by writing files into a folder: `.eml` for mail, `.json` for webhooks. The default of the bundled
/// configuration and of every dry run, so nothing reaches the network. Each file is written to a temporary name
/// and renamed, so a reader never sees half a message.
public struct FolderTransport: Sendable {
    /// The folder.
    public let folder: URL

    /// Creates the transport; the folder is made when needed.
    public init(folder: String) { self.folder = URL(fileURLWithPath: folder) }

    /// Writes `content` as `<name>`; `name` has `/` replaced and must not start with a dot.
    public func deliver(name: String, content: String) -> DeliveryOutcome {
        let safe = name.replacingOccurrences(of: "/", with: "_")
        guard !safe.isEmpty, !safe.hasPrefix(".") else {
            return .permanent(nil, reason: "'\(name)' is not a usable file name")
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let target = folder.appendingPathComponent(safe)
            let temporary = folder.appendingPathComponent(".\(safe).\(getpid()).tmp")
            try Data(content.utf8).write(to: temporary)
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.moveItem(at: temporary, to: target)
            return .delivered(nil)
        } catch {
            return .transient(nil, reason: "cannot write \(safe): \(error.localizedDescription)", retryAfter: nil)
        }
    }
}
