import KalladCore

/// Reading file by file: what can be read as a file comes is read then, the rest once every file is in.
extension RegistryReader {
    /// Reads every document, then the registry.
    func read(_ documents: [YAMLCursor]) -> Registry {
        for document in documents { add(document) }
        return finish()
    }

    /// Reads one file's document. Its bodies are read at once when that cannot differ from reading them after every
    /// file (see `readBodyNowOrLater`), and only references that may point forward keep a node, so a file's tree
    /// can go as soon as it is read.
    func add(_ document: YAMLCursor) {
        guard let top = document.mapping(allowed: Self.topLevelKeys) else { return }
        if let cursor = top["settings"] { readSettings(cursor) }
        top["parties"]?.list()?.forEach(readParty)
        top["areas"]?.list()?.forEach(readArea)
        top["people"]?.list()?.forEach(readPerson)
        top["offices"]?.list()?.forEach(readOffice)
        let bodies = top["bodies"]?.list() ?? []
        changeCursors += top["changes"]?.list() ?? []
        top["receivers"]?.list()?.forEach(readReceiver)
        for cursor in bodies { readBodyNowOrLater(cursor) }
    }

    /// The registry, once every document is added.
    func finish() -> Registry {
        checkPartyReferences()
        for cursor in bodyCursors { readBody(cursor) }
        bodyCursors = []
        for cursor in changeCursors { readChange(cursor) }
        checkServiceReferences()
        // The bodies as read, handed over (the reader lets go of its own reference). The array grew by doubling and
        // has room it never wrote: pages never touched are not resident, while copying every body into an array of
        // exactly their number retains (and the old array's end releases) each of their references.
        let readBodies = bodies
        bodies = []
        let registry = Registry(
            settings: settings, parties: parties, areas: areas, people: people, offices: offices, bodies: readBodies,
            changes: Overlay(changes: changes), receivers: receivers)
        RegistryValidator(registry: registry, sink: sink).validate()
        return registry
    }

    /// Reads a body now if that gives what reading it after every file would: the settings are known, no earlier
    /// body waits (so bodies are declared in file order), and it reads without a single diagnostic (so everything
    /// it names is already declared, and what is declared later cannot change it). Otherwise it is undone and kept
    /// for `finish`, with every body after it.
    func readBodyNowOrLater(_ cursor: YAMLCursor) {
        guard bodyCursors.isEmpty, settingsSeen != nil else {
            bodyCursors.append(cursor)
            return
        }
        let diagnosticCount = sink.diagnostics.count
        let bodyCount = bodies.count
        lastDeclaredBody = nil
        readBody(cursor)
        guard sink.diagnostics.count > diagnosticCount || bodies.count == bodyCount else { return }
        sink.diagnostics.removeSubrange(diagnosticCount...)
        if bodies.count > bodyCount { bodies.removeLast() }
        if let id = lastDeclaredBody { declared["body"].remove(id) }
        bodyCursors.append(cursor)
    }

    /// Whether `cursor` is an id already declared as `kind`: what `reference` would accept without a word.
    func resolvesNow(_ cursor: YAMLCursor, kind: String) -> Bool {
        guard cursor.node.kind == .scalar else { return false }
        // On the scalar's bytes, without making a string: an id is never `~`, and a plain `null` reads as nothing.
        let table = declared[kind]
        let declared = cursor.tree.withBytes(cursor.index) { bytes in
            YAMLCursor.isIdentifier(bytes) && table.place(ofBytes: bytes) != nil
        }
        return declared && !(cursor.node.style == .plain && cursor.tree.text(cursor.index, is: "null"))
    }

    /// The cursor if its id (or, with `list`, any id of its list) does not resolve now and must be checked once
    /// every file is read; `nil` when nothing is left to check.
    func pending(_ cursor: YAMLCursor?, kind: String, list: Bool = false) -> YAMLCursor? {
        guard let cursor else { return nil }
        switch cursor.node.kind {
        case .scalar:
            return resolvesNow(cursor, kind: kind) ? nil : cursor
        case .sequence where list:
            let all = cursor.tree.entries(cursor.index).allSatisfy { resolvesNow(cursor.cursor($0), kind: kind) }
            return all ? nil : cursor
        default:
            return cursor
        }
    }
}
