import KalladCore

/// `settings.service`: where `kallad run` listens, who may send triggers, and the read token; secrets only by file
/// or systemd credential name.
extension RegistryReader {
    static let serviceKeys = ["listen", "read_token_file", "log_level", "deviation_body", "systems"]
    static let systemKeys = ["name", "secret_files", "bodies", "deviation_body"]

    func readService(_ cursor: YAMLCursor) {
        guard let map = cursor.mapping(allowed: Self.serviceKeys) else { return }
        var service = ServiceSettings(location: cursor.location)
        if let listen = map["listen"], let text = listen.string() {
            switch ServiceSettings.parseListen(text) {
            case .success(let (host, port)):
                service.host = host
                service.port = port
            case .failure(let problem):
                sink.error(
                    "config.listen", "\(listen.path) '\(text)' \(problem.message)",
                    hint: "e.g. 127.0.0.1:8470 (loopback; put a reverse proxy in front for other hosts)",
                    at: listen.location)
            }
        }
        service.readTokenFile = map["read_token_file"]?.string()
        if let level = map["log_level"], let text = level.string() {
            if ServiceSettings.logLevels.contains(text) {
                service.logLevel = text
            } else {
                sink.error(
                    "config.bad_choice",
                    "\(level.path) '\(text)' is not one of " + ServiceSettings.logLevels.joined(separator: ", "),
                    hint: Suggest.closest(to: text, in: ServiceSettings.logLevels).map { "did you mean '\($0)'?" }
                        ?? "", at: level.location)
            }
        }
        service.deviationBody = map["deviation_body"]?.identifier()
        var names: [String: SourceLocation] = [:]
        for item in map["systems"]?.list() ?? [] {
            guard
                let system = item.mapping(allowed: Self.systemKeys, required: ["name", "secret_files", "bodies"]),
                let name = system["name"]?.identifier(),
                let secrets = system["secret_files"]?.list(single: true)?.compactMap({ $0.string() }),
                let bodyList = system["bodies"]?.list(single: true)
            else { continue }
            if let first = names[name] {
                sink.error(
                    "config.duplicate_id", "sending system '\(name)' is declared twice",
                    hint: "the first is at \(first); names must be unique", at: item.location)
                continue
            }
            names[name] = item.location
            if secrets.isEmpty {
                sink.error(
                    "config.missing_key", "\(item.path).secret_files names no secret",
                    hint: "name a file or systemd credential holding a whsec_… secret", at: item.location)
            }
            let texts = bodyList.compactMap { $0.string() }
            let bodies: Set<String>? = texts.contains("*") ? nil : Set(texts)
            if texts.contains("*") && texts.count > 1 {
                sink.error(
                    "config.bodies", "\(item.path).bodies mixes \"*\" with body ids",
                    hint: "write [\"*\"] for every body, or list the bodies", at: item.location)
            }
            for body in bodyList where body.scalarText != "*" { serviceBodyReferences.append(body) }
            if let deviation = system["deviation_body"] { serviceBodyReferences.append(deviation) }
            service.systems.append(
                SendingSystem(
                    name: name, secretFiles: secrets, bodies: bodies,
                    deviationBody: system["deviation_body"]?.identifier(), location: item.location))
        }
        if let deviation = map["deviation_body"] { serviceBodyReferences.append(deviation) }
        settings.service = service
    }

    /// Body ids named under `service`, checked once every body is read.
    func checkServiceReferences() {
        for cursor in serviceBodyReferences {
            _ = reference(cursor, kind: "body", among: declared["body"])
        }
    }
}
