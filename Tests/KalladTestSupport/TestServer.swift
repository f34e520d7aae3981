import Foundation

/// A Python test server from Tests/Oracles (aiosmtpd, or the HTTP receiver), started by the test on 127.0.0.1
/// with a port from the OS, stopped when the value is released.
public final class TestServer {
    static let root = Oracle.packageRoot
    let process = Process()
    let stdin = Pipe()
    public let spool: URL
    public let port: Int

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public init(script: String = "smtp_server.py", arguments: [String] = []) throws {
        spool = FileManager.default.temporaryDirectory.appendingPathComponent("kallad-smtp-\(UUID().uuidString)")
        let python = Self.root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "no \(python): run `make test` (it makes .venv with aiosmtpd)")
        }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments =
            [Self.root.appendingPathComponent("Tests/Oracles/\(script)").path]
            + (script == "smtp_server.py" ? ["--spool", spool.path] : [spool.path]) + arguments
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while !line.contains(10) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { throw Failure(description: "\(script) ended before it listened") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let port = Int(text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
        else { throw Failure(description: "\(script) said \(text)") }
        self.port = port
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: spool)
    }

    /// The HTTP receiver's recorded requests.
    public func requests() throws -> [[String: Any]] {
        guard let text = try? String(contentsOf: spool, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    /// The messages the server stored, in order: (bytes, envelope JSON).
    public func stored() throws -> [(message: Data, envelope: [String: Any])] {
        var result: [(Data, [String: Any])] = []
        var n = 1
        while FileManager.default.fileExists(atPath: spool.appendingPathComponent("\(n).eml").path) {
            let message = try Data(contentsOf: spool.appendingPathComponent("\(n).eml"))
            let envelope =
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: spool.appendingPathComponent("\(n).json"))) as? [String: Any] ?? [:]
            result.append((message, envelope))
            n += 1
        }
        return result
    }
}
