import KalladCore

extension OverlayCodec.Stored {
    /// Reads what `json` writes — one flat object of string values — with the strict reader the trigger parser uses;
    /// nil for anything else (a null, a number, nesting, a key twice, an unknown key, bad escapes), which the caller
    /// then hands to JSONDecoder. Every change is read once per process, on the planner's path after each trigger,
    /// where JSONDecoder cost more than the insert.
    init?(flat json: String) {
        guard case .success(.object(let members)) = JSONValue.read(json.utf8) else { return nil }
        var fields: [String: String] = [:]
        for (key, value) in members {
            guard Self.keys.contains(key), case .string(let text) = value else { return nil }
            fields[key] = text
        }
        guard let type = fields["type"] else { return nil }
        self.init(
            type: type, body: fields["body"], meeting: fields["meeting"], start: fields["start"], end: fields["end"],
            requestedBy: fields["requested_by"], reason: fields["reason"], seat: fields["seat"],
            person: fields["person"], role: fields["role"], title: fields["title"],
            submittedBy: fields["submitted_by"])
    }

    /// The keys `json` writes.
    static let keys: Set<String> = [
        "type", "body", "meeting", "start", "end", "requested_by", "reason", "seat", "person", "role", "title",
        "submitted_by",
    ]
}
