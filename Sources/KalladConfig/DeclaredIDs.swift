import KalladCore

/// Where each id was first declared, per kind. The kinds the reader declares have a table each, found by comparing
/// the kind's name instead of hashing it (a national registry looks kinds up hundreds of thousands of times).
struct DeclaredIDs {
    private static let kinds = ["body", "office", "person", "party", "area", "change", "receiver"]
    private var tables = [[String: SourceLocation]?](repeating: nil, count: kinds.count)
    private var others: [String: [String: SourceLocation]] = [:]

    private static func slot(_ kind: String) -> Int? { kinds.firstIndex(of: kind) }

    /// The ids of `kind` and where each was declared; `nil` before the first.
    subscript(_ kind: String) -> [String: SourceLocation]? {
        get {
            if let slot = Self.slot(kind) { return tables[slot] }
            return others[kind]
        }
        _modify {
            if let slot = Self.slot(kind) {
                yield &tables[slot]
            } else {
                yield &others[kind]
            }
        }
    }

    subscript(_ kind: String, default empty: @autoclosure () -> [String: SourceLocation]) -> [String: SourceLocation] {
        get { self[kind] ?? empty() }
        _modify {
            if let slot = Self.slot(kind) {
                if tables[slot] == nil { tables[slot] = empty() }
                yield &tables[slot]!
            } else {
                yield &others[kind, default: empty()]
            }
        }
    }
}
