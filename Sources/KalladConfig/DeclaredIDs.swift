import KalladCore

/// Where each id was first declared, per kind. Each kind the reader declares has a table of its own, found by
/// comparing the kind's name instead of hashing it (a national registry looks kinds up hundreds of thousands of
/// times).
struct DeclaredIDs {
    private static let kinds = ["body", "office", "person", "party", "area", "change", "receiver"]
    private let tables = kinds.map { _ in IDTable<SourceLocation>() }

    /// The ids of `kind` and where each was declared (empty before the first).
    subscript(_ kind: String) -> IDTable<SourceLocation> {
        guard let slot = Self.kinds.firstIndex(of: kind) else {
            preconditionFailure("ids of kind '\(kind)' are not declared")
        }
        return tables[slot]
    }
}
