import Foundation
import KalladCore
import Yams

/// What loading a configuration gave: the registry if it is usable, and every problem found.
public struct LoadResult: Sendable {
    /// The registry, or `nil` when any error makes the input unusable.
    public var registry: Registry?
    /// Errors and warnings, in file order.
    public var diagnostics: [Diagnostic]
    /// The files read, relative to the config folder.
    public var files: [String]
}

/// Reads a configuration folder (`*.yaml` and `*.yml` below it, templates excepted) into a `Registry`, with
/// file:line:column diagnostics for every problem: YAML syntax, unknown keys (with suggestions), wrong types,
/// unknown or duplicate ids, cycles in `follows` and derived schedules, bad rules.
public enum ConfigLoader {
    /// Loads every YAML file below `directory`.
    public static func load(directory: String) -> LoadResult {
        let root = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return LoadResult(
                registry: nil,
                diagnostics: [
                    Diagnostic(
                        .error, code: "config.no_folder", message: "configuration folder '\(directory)' does not exist",
                        hint: "pass --config DIR with the folder that holds kallad.yaml")
                ], files: [])
        }
        var diagnostics: [Diagnostic] = []
        let paths = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? [])
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix("templates/") }
            .sorted()
        // One file at a time: each is taken into the registry before the next, so only the trees of files whose
        // bodies must wait for later files stay in memory. A second thread reads and parses the next files while
        // this one takes in the last (at most one ahead).
        let sink = DiagnosticSink()
        let reader = RegistryReader(sink: sink)
        var names: [String] = []
        let files = FileReadAhead(files: paths.map { (root.appendingPathComponent($0), $0) }, ahead: 1)
        for (index, path) in paths.enumerated() {
            switch files.take(index) {
            case .unreadable(let message):
                diagnostics.append(
                    Diagnostic(
                        .error, code: "config.unreadable",
                        message: "cannot read \(path): \(message)",
                        hint: "check the file's permissions", location: SourceLocation(file: path, line: 1, column: 1)))
            case .parsed(let tree):
                names.append(path)
                // The fast parser's tree of a valid file: what `document` would give.
                if tree.root >= 0 { reader.add(YAMLCursor(tree: tree, index: tree.root, sink: sink)) }
            case .read(let data):
                names.append(path)
                if let document = document(name: path, data: data, sink: sink) { reader.add(document) }
            }
        }
        if paths.isEmpty {
            diagnostics.append(
                Diagnostic(
                    .error, code: "config.empty_folder", message: "no .yaml files in '\(directory)'",
                    hint: "the folder should hold kallad.yaml and the registry files"))
        }
        var result = finish(reader, sink: sink, files: names)
        result.diagnostics = diagnostics + result.diagnostics
        if !diagnostics.isEmpty { result.registry = nil }
        return result
    }

    /// Loads files given as (name, bytes); pure apart from parsing.
    public static func load(files: [(name: String, data: Data)]) -> LoadResult {
        let sink = DiagnosticSink()
        let reader = RegistryReader(sink: sink)
        for (name, data) in files {
            if let document = document(name: name, data: data, sink: sink) { reader.add(document) }
        }
        return finish(reader, sink: sink, files: files.map(\.name))
    }

    /// One file's top node, or `nil` (with the problem in `sink`) when it is not UTF-8, has a NUL, does not parse,
    /// or is empty.
    static func document(name: String, data: Data, sink: DiagnosticSink) -> YAMLCursor? {
        let bytes = [UInt8](data)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            let (line, column) = firstInvalidUTF8(data)
            sink.error(
                "config.encoding", "\(name) is not valid UTF-8",
                hint: "save the file as UTF-8", at: SourceLocation(file: name, line: line, column: column))
            return nil
        }
        if bytes.contains(0) {
            sink.error(
                "config.nul", "\(name) contains a NUL character", hint: "remove it",
                at: SourceLocation(file: name, line: 1, column: 1))
            return nil
        }
        do {
            let tree = try parse(file: name, bytes: bytes)
            // An empty file is fine.
            guard tree.root >= 0 else { return nil }
            return YAMLCursor(tree: tree, index: tree.root, sink: sink)
        } catch let error as YamlError {
            sink.diagnostics.append(diagnostic(for: error, file: name))
        } catch {
            sink.error("config.yaml", "\(name): \(error)", at: SourceLocation(file: name, line: 1, column: 1))
        }
        return nil
    }

    /// The registry and the sorted diagnostics once every file is added.
    static func finish(_ reader: RegistryReader, sink: DiagnosticSink, files: [String]) -> LoadResult {
        let registry = reader.finish()
        let diagnostics = sink.diagnostics.sorted {
            ($0.location?.file ?? "", $0.location?.line ?? 0, $0.location?.column ?? 0)
                < ($1.location?.file ?? "", $1.location?.line ?? 0, $1.location?.column ?? 0)
        }
        let usable = !diagnostics.contains { $0.severity == .error }
        return LoadResult(registry: usable ? registry : nil, diagnostics: diagnostics, files: files)
    }

    /// The node tree of one file: the fast parser's, or Yams' when the file needs more of YAML or has an error.
    static func parse(file: String, bytes: [UInt8]) throws -> YAMLTree {
        if let tree = YAMLFastParser.parse(file: file, bytes: bytes) { return tree }
        return try parseWithYams(file: file, bytes: bytes)
    }

    /// Yams' node tree of one file. Every scalar is read as text, so no tag resolution (the regular expressions of
    /// the default resolver).
    static func parseWithYams(file: String, bytes: [UInt8]) throws -> YAMLTree {
        let node = try Yams.compose(yaml: String(decoding: bytes, as: UTF8.self), Resolver.basic)
        return YAMLTree(file: file, yams: node)
    }

    static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        let hint = "check indentation, colons and quotes near this place"
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = [context?.text, problem].compactMap { $0 }.joined(separator: ": ")
            return Diagnostic(.error, code: "config.yaml", message: "YAML: \(text)", hint: hint, location: at(mark))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Diagnostic(
                .error, code: "config.duplicate_key",
                message: "key \(duplicates.joined(separator: ", ")) appears twice in one mapping",
                hint: "keep one of them", location: at(context.mark))
        case .reader(let problem, let offset, _, _):
            return Diagnostic(
                .error, code: "config.yaml", message: "YAML: \(problem) (byte \(offset ?? 0))",
                hint: "save the file as UTF-8 text", location: SourceLocation(file: file, line: 1, column: 1))
        default:
            return Diagnostic(
                .error, code: "config.yaml", message: "YAML: \(error)", hint: hint,
                location: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    /// The line and column (1-based, in bytes) of the first byte that breaks UTF-8.
    static func firstInvalidUTF8(_ data: Data) -> (Int, Int) {
        let bytes = [UInt8](data)
        var line = 1, column = 1, index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length =
                byte < 0x80 ? 1 : byte >> 5 == 0b110 ? 2 : byte >> 4 == 0b1110 ? 3 : byte >> 3 == 0b11110 ? 4 : 0
            if length == 0 || index + length > bytes.count { return (line, column) }
            let bytesValid = (1..<length).allSatisfy { bytes[index + $0] >> 6 == 0b10 }
            guard bytesValid, String(bytes: bytes[index..<(index + length)], encoding: .utf8) != nil else {
                return (line, column)
            }
            if byte == 10 {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += length
        }
        return (line, column)
    }
}

/// Reads and parses files on a thread of its own, a few ahead of the one who takes them in order. A file the fast
/// parser takes comes as its tree; any other (not UTF-8, a NUL, needing Yams, an error) as its bytes, for
/// `ConfigLoader.document` to give the same tree or diagnostics as reading it in turn would.
final class FileReadAhead: @unchecked Sendable {
    enum File: @unchecked Sendable {
        case unreadable(String)
        case read(Data)
        case parsed(YAMLTree)
    }

    private let lock = NSCondition()
    private var files: [File?]
    private var taken = 0
    private let ahead: Int

    /// Starts reading `files` (where, and the name in diagnostics and trees).
    init(files paths: [(url: URL, name: String)], ahead: Int) {
        files = [File?](repeating: nil, count: paths.count)
        self.ahead = ahead
        guard !paths.isEmpty else { return }
        let thread = Thread { [self] in
            for (index, (url, name)) in paths.enumerated() {
                lock.lock()
                while index >= taken + ahead { lock.wait() }
                lock.unlock()
                let file = Self.read(url, name: name)
                lock.lock()
                files[index] = file
                lock.broadcast()
                lock.unlock()
            }
        }
        thread.start()
    }

    /// File `index`, once read; each is taken once, in order.
    func take(_ index: Int) -> File {
        lock.lock()
        defer { lock.unlock() }
        while files[index] == nil { lock.wait() }
        let file = files[index]!
        files[index] = nil
        taken = index + 1
        lock.broadcast()
        return file
    }

    static func read(_ url: URL, name: String) -> File {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            return .unreadable(error.localizedDescription)
        }
        let bytes = [UInt8](data)
        guard String(validating: bytes, as: UTF8.self) != nil, !bytes.contains(0),
            let tree = YAMLFastParser.parse(file: name, bytes: bytes)
        else { return .read(data) }
        return .parsed(tree)
    }
}
