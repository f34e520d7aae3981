import KalladCore

/// A YAML node with its file and path, and the diagnostics collected while reading it.
///
/// Every accessor reports a missing key, a wrong type or an unknown key as a `Diagnostic` with file:line:column,
/// and returns `nil` so reading goes on and the user sees every problem at once.
final class DiagnosticSink {
    var diagnostics: [Diagnostic] = []

    func error(_ code: String, _ message: String, hint: String = "", at location: SourceLocation?) {
        diagnostics.append(Diagnostic(.error, code: code, message: message, hint: hint, location: location))
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// The entries of a mapping whose keys were checked against the allowed ones: looked up by key, in file order.
/// Refers to the mapping in its tree and marks the entries kept, so reading one costs no allocation. Each kept
/// entry's value node is also kept by its key's place among the allowed keys, so looking a key up compares it with
/// the allowed keys (constants, mostly compared by their bits) rather than with the file's keys.
struct YAMLFields {
    let mapping: YAMLCursor
    /// The allowed keys, in the caller's order.
    private let allowed: [String]
    /// Bit i: the i-th pair is kept (its key allowed and not seen before); pairs past 64 in `more`.
    private var kept: UInt64 = 0
    private var more: [Bool] = []
    /// The value node of the kept pair of `allowed[i]` (-1 when there is none), for the first `placed` keys.
    private var values = InlineArray<24, Int32>(repeating: -1)
    private(set) var count = 0

    /// How many allowed keys have a place in `values`; the keys after them are found by going through the pairs.
    private static let placed = 24

    init(mapping: YAMLCursor, allowed: [String]) {
        self.mapping = mapping
        self.allowed = allowed
    }

    private func isKept(_ pair: Int) -> Bool { pair < 64 ? kept & (1 << UInt64(pair)) != 0 : more[pair - 64] }

    /// Keeps pair `pair`, whose key is `allowed[key]` and whose value is `value`.
    mutating func keep(_ pair: Int, key: Int, value: Int32) {
        if pair < 64 {
            kept |= 1 << UInt64(pair)
        } else {
            while more.count <= pair - 64 { more.append(false) }
            more[pair - 64] = true
        }
        if key < Self.placed { values[key] = value }
        count += 1
    }

    /// The value node of the kept pair whose key is `key`, if any.
    private func valueNode(_ key: String) -> Int32? {
        // Lengths first: most allowed keys differ from `key` in length, and comparing those costs no call.
        let length = key.utf8.count
        guard let place = allowed.firstIndex(where: { $0.utf8.count == length && $0 == key }) else { return nil }
        if place < Self.placed { return values[place] >= 0 ? values[place] : nil }
        let entries = mapping.tree.entries(mapping.index)
        var pair = 0
        var i = entries.startIndex
        while i < entries.endIndex {
            if isKept(pair) && mapping.tree.text(entries[i], is: key) { return entries[i + 1] }
            i += 2
            pair += 1
        }
        return nil
    }

    /// Whether a kept pair before `pair` has the key `allowed[key]` (whose node is `node`).
    func hasKept(before pair: Int, key: Int, node: Int32) -> Bool {
        if key < Self.placed { return values[key] >= 0 }
        let entries = mapping.tree.entries(mapping.index)
        for earlier in 0..<pair where isKept(earlier) {
            if mapping.tree.sameText(entries[entries.startIndex + 2 * earlier], node) { return true }
        }
        return false
    }

    subscript(key: String) -> YAMLCursor? { valueNode(key).map(mapping.cursor) }

    var first: (key: String, value: YAMLCursor)? {
        let entries = mapping.tree.entries(mapping.index)
        var pair = 0
        var i = entries.startIndex
        while i < entries.endIndex {
            if isKept(pair) { return (mapping.tree.text(entries[i]), mapping.cursor(entries[i + 1])) }
            i += 2
            pair += 1
        }
        return nil
    }
}

/// A node of a parsed YAML file, with the sink its reading problems go to.
struct YAMLCursor {
    let tree: YAMLTree
    let index: Int32
    let sink: DiagnosticSink

    init(tree: YAMLTree, index: Int32, sink: DiagnosticSink) {
        self.tree = tree
        self.index = index
        self.sink = sink
    }

    var node: YAMLTree.Node { tree.nodes[Int(index)] }

    var file: String { tree.file }

    /// The path for messages, e.g. `bodies[3].members[0].office`; empty at a file's top level.
    var path: String { tree.path(index) }

    /// The path for messages; the root of a file is its top level.
    var name: String { path.isEmpty ? "the top level" : path }

    var location: SourceLocation { place(of: index) }

    func place(of node: Int32) -> SourceLocation {
        let node = tree.nodes[Int(node)]
        return SourceLocation(file: tree.file, line: Int(node.line), column: Int(node.column))
    }

    func cursor(_ node: Int32) -> YAMLCursor { YAMLCursor(tree: tree, index: node, sink: sink) }

    /// A short name for the node's type, for messages.
    var typeName: String {
        switch node.kind {
        case .scalar:
            let text = tree.text(index)
            if text.isEmpty || text == "~" || text == "null" { return "nothing" }
            return "a text or number"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    func typeError(expected: String, example: String = "") {
        sink.error(
            "config.type", "\(name) should be \(expected), not \(typeName)",
            hint: example.isEmpty ? "" : "for example: \(example)", at: location)
    }

    // MARK: - Mappings

    /// The mapping's entries in order, after checking for unknown and duplicate keys.
    func mapping(allowed: [String], required: [String] = [], example: String = "") -> YAMLFields? {
        guard node.kind == .mapping else {
            typeError(expected: "a mapping with \(allowed.prefix(4).joined(separator: ", "))…", example: example)
            return nil
        }
        var result = YAMLFields(mapping: self, allowed: allowed)
        let entries = tree.entries(index)
        var pair = 0
        var i = entries.startIndex
        while i < entries.endIndex {
            let keyNode = entries[i], valueNode = entries[i + 1]
            defer {
                i += 2
                pair += 1
            }
            guard tree.nodes[Int(keyNode)].kind == .scalar else {
                sink.error("config.key_type", "a key in \(name) is not text", at: place(of: keyNode))
                continue
            }
            guard let key = tree.match(keyNode, in: allowed) else {
                let key = tree.text(keyNode)
                let suggestion = Suggest.closest(to: key, in: allowed)
                sink.error(
                    "config.unknown_key", "unknown key '\(key)' in \(name)",
                    hint: suggestion.map { "did you mean '\($0)'?" }
                        ?? "allowed here: \(allowed.joined(separator: ", "))",
                    at: place(of: keyNode))
                continue
            }
            if result.hasKept(before: pair, key: key, node: keyNode) {
                sink.error(
                    "config.duplicate_key", "'\(tree.text(keyNode))' appears twice in \(path)",
                    hint: "keep one of them", at: place(of: keyNode))
                continue
            }
            result.keep(pair, key: key, value: valueNode)
        }
        for key in required where result[key] == nil {
            sink.error(
                "config.missing_key", "\(path) needs '\(key)'",
                hint: example.isEmpty ? "" : "for example: \(example)", at: location)
        }
        return result
    }

    /// A mapping with free keys (e.g. handles, composition), in order.
    func pairs() -> [(key: String, value: YAMLCursor, location: SourceLocation)]? {
        guard node.kind == .mapping else {
            typeError(expected: "a mapping")
            return nil
        }
        var seen: Set<String> = []
        var result: [(key: String, value: YAMLCursor, location: SourceLocation)] = []
        let entries = tree.entries(index)
        var i = entries.startIndex
        while i < entries.endIndex {
            let keyNode = entries[i], valueNode = entries[i + 1]
            i += 2
            let location = place(of: keyNode)
            guard tree.nodes[Int(keyNode)].kind == .scalar else {
                sink.error("config.key_type", "a key in \(name) is not text", at: location)
                continue
            }
            let key = tree.text(keyNode)
            guard seen.insert(key).inserted else {
                sink.error(
                    "config.duplicate_key", "'\(key)' appears twice in \(path)",
                    hint: "keep one of them", at: location)
                continue
            }
            result.append((key, cursor(valueNode), location))
        }
        return result
    }

    // MARK: - Lists

    /// The items of a list; a single value counts as a list of one when `single` is true.
    func list(single: Bool = false) -> [YAMLCursor]? {
        switch node.kind {
        case .sequence:
            return tree.entries(index).map(cursor)
        case .scalar where single:
            return [self]
        default:
            typeError(expected: "a list")
            return nil
        }
    }

    // MARK: - Scalars

    var scalarText: String? { node.kind == .scalar ? tree.text(index) : nil }

    func string(nonEmpty: Bool = true) -> String? {
        guard let text = scalarText else {
            typeError(expected: "text")
            return nil
        }
        if nonEmpty && (text.isEmpty || (node.style == .plain && (text == "~" || text == "null"))) {
            sink.error("config.empty", "\(path) is empty", hint: "give it a value", at: location)
            return nil
        }
        return text
    }

    /// An id: lower-case letters, digits and dashes.
    func identifier() -> String? {
        guard let text = string() else { return nil }
        guard Self.isIdentifier(text) else {
            sink.error(
                "config.bad_id", "\(path) '\(text)' is not a valid id",
                hint: "use lower-case letters a–z, digits and '-', e.g. 'norrbotten-lsg'", at: location)
            return nil
        }
        return text
    }

    static func isIdentifier(_ text: String) -> Bool {
        // Only ASCII passes, so bytes count as characters.
        !text.isEmpty && text.utf8.count <= 120
            && text.utf8.allSatisfy { c in
                (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45
            } && text.utf8.first != 45
    }

    /// Whether these bytes are an id, as `isIdentifier(_:)` of their text says.
    static func isIdentifier(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.count <= 120
            && bytes.allSatisfy { c in
                (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45
            } && bytes.first != 45
    }

    func int(in range: ClosedRange<Int>) -> Int? {
        guard let text = scalarText, let value = Int(text) else {
            typeError(expected: "a whole number")
            return nil
        }
        guard range.contains(value) else {
            sink.error(
                "config.range", "\(path) is \(value); it must be \(range.lowerBound)–\(range.upperBound)",
                at: location)
            return nil
        }
        return value
    }

    func bool() -> Bool? {
        switch scalarText {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            typeError(expected: "true or false")
            return nil
        }
    }

    func date() -> LocalDate? {
        guard let text = scalarText else {
            typeError(expected: "a date", example: "2027-02-11")
            return nil
        }
        guard let date = LocalDate(iso: text) else {
            sink.error(
                "config.bad_date", "\(path) '\(text)' is not a date",
                hint: "write dates as YYYY-MM-DD, e.g. 2027-02-11", at: location)
            return nil
        }
        return date
    }

    func time() -> LocalTime? {
        guard let text = scalarText else {
            typeError(expected: "a time", example: "\"10:00\"")
            return nil
        }
        guard let time = LocalTime(iso: text) else {
            sink.error(
                "config.bad_time", "\(path) '\(text)' is not a time",
                hint: "write times as HH:MM in quotes, e.g. \"10:00\"", at: location)
            return nil
        }
        return time
    }

    /// `YYYY-MM-DDTHH:MM` in the registry's zone.
    func dateTime() -> LocalDateTime? {
        guard let text = scalarText else {
            typeError(expected: "a local date and time", example: "2027-03-03T10:00")
            return nil
        }
        let parts = text.split(separator: "T", maxSplits: 1).map(String.init)
        guard parts.count == 2, let date = LocalDate(iso: parts[0]), let time = LocalTime(iso: parts[1].prefix(5)),
            parts[1].count == 5 || (parts[1].count == 8 && parts[1].hasSuffix(":00"))
        else {
            sink.error(
                "config.bad_datetime", "\(path) '\(text)' is not a local date and time",
                hint: "write YYYY-MM-DDTHH:MM, e.g. 2027-03-03T10:00", at: location)
            return nil
        }
        return LocalDateTime(date, time)
    }

    /// An instant: `YYYY-MM-DDTHH:MM[:SS]` followed by `Z` or `±HH:MM`.
    func instant() -> Instant? {
        guard let text = scalarText, let instant = Self.parseInstant(text) else {
            sink.error(
                "config.bad_instant", "\(path) is not a date and time with an offset",
                hint: "write e.g. 2027-02-20T09:00:00+01:00 or 2027-02-20T08:00:00Z", at: location)
            return nil
        }
        return instant
    }

    static func parseInstant(_ text: String) -> Instant? {
        guard text.count >= 17, let tIndex = text.firstIndex(of: "T") else { return nil }
        guard let date = LocalDate(iso: text[..<tIndex]) else { return nil }
        var rest = Substring(text[text.index(after: tIndex)...])
        var offset = 0
        if rest.hasSuffix("Z") {
            rest = rest.dropLast()
        } else if rest.count >= 6 {
            let zone = rest.suffix(6)
            let sign: Int = zone.first == "+" ? 1 : zone.first == "-" ? -1 : 0
            guard sign != 0, let t = LocalTime(iso: zone.dropFirst()) else { return nil }
            offset = sign * t.minuteOfDay * 60
            rest = rest.dropLast(6)
        } else {
            return nil
        }
        let clock = rest.split(separator: ":")
        guard clock.count == 2 || clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
            let h = Int(clock[0]), let m = Int(clock[1]), let time = LocalTime(hour: h, minute: m)
        else { return nil }
        let seconds = clock.count == 3 ? Int(clock[2]) ?? 99 : 0
        guard seconds < 60 else { return nil }
        let wall = Int64(date.dayNumber) * 86_400 + Int64(time.minuteOfDay * 60 + seconds)
        return Instant(secondsSinceEpoch: wall - Int64(offset))
    }

    /// One of the raw values of an enum.
    func choice<T: RawRepresentable>(_ type: T.Type, among all: [T]) -> T? where T.RawValue == String {
        guard let text = scalarText else {
            typeError(expected: "one of " + all.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        if let value = T(rawValue: text) { return value }
        let names = all.map(\.rawValue)
        sink.error(
            "config.bad_choice", "\(path) '\(text)' is not one of \(names.joined(separator: ", "))",
            hint: Suggest.closest(to: text, in: names).map { "did you mean '\($0)'?" } ?? "", at: location)
        return nil
    }
}

/// Typo suggestions for unknown keys and ids.
public enum Suggest {
    /// The candidate closest to `word` by edit distance, if close enough to be a likely typo.
    public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        var best: (String, Int)?
        let limit = max(2, word.count / 3)
        for candidate in candidates {
            let distance = editDistance(word, candidate, limit: limit)
            if distance <= limit, best.map({ distance < $0.1 }) ?? true { best = (candidate, distance) }
        }
        return best?.0
    }

    static func editDistance(_ a: String, _ b: String, limit: Int) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if abs(a.count - b.count) > limit { return limit + 1 }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(1, a.count) where !a.isEmpty {
            current[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
