import Foundation

/// Runs a Python oracle from `Tests/Oracles/` in the project's `.venv` (made by `make test`); shared by the test
/// targets.
public enum Oracle {
    /// The package root, found from this file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The virtual environment's interpreter, or `KALLAD_ORACLE_PYTHON`.
    public static var python: String {
        ProcessInfo.processInfo.environment["KALLAD_ORACLE_PYTHON"]
            ?? packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `Tests/Oracles/<script>` with `input` on standard input and returns standard output.
    public static func run(_ script: String, input: Data) throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "no oracle interpreter at \(python): run `make test` (it makes .venv)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [packageRoot.appendingPathComponent("Tests/Oracles/\(script)").path]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "\(script) exited \(process.terminationStatus): "
                    + (String(data: err, encoding: .utf8) ?? ""))
        }
        return out
    }
}
