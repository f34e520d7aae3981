import Foundation
public import KalladCompose

/// Reads `<config>/templates/<language>/<name>.mustache` for every language folder there.
public enum TemplateFiles {
    /// The composer for the templates below `config`.
    public static func load(config: String) throws -> Composer {
        let root = URL(fileURLWithPath: config).appendingPathComponent("templates")
        let languages = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        var texts: [String: [String: String]] = [:]
        for language in languages.sorted() {
            let folder = root.appendingPathComponent(language)
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            where file.hasSuffix(".mustache") {
                let name = String(file.dropLast(".mustache".count))
                texts[language, default: [:]][name] = try String(
                    contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            }
        }
        guard !texts.isEmpty else {
            throw ComposeError(
                code: "compose.no_templates", message: "no templates under \(root.path)",
                field: "templates")
        }
        return try Composer(templates: texts)
    }
}
