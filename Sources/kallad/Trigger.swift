import ArgumentParser
import Foundation
import KalladCompose
import KalladDaemon
import KalladTransport

struct Trigger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign a trigger (Standard Webhooks) and post it to a Kallad service; prints the answer.",
        discussion: """
            TYPE is one of \(TriggerCommand.types.joined(separator: ", ")). Exit codes: 0 accepted, 1 refused \
            by the server, 2 unusable input or no answer.
            Example: kallad trigger agenda.item.added --url http://127.0.0.1:8470/v1/triggers \
            --secret-file /etc/kallad/secret --system arendesystem \
            --data '{"meeting": "norrbotten-lsg/2026-12-03", "title": "Budget 2027"}'
            """)

    @Argument(help: "The trigger type.")
    var type: String

    @Option(help: "The trigger's data: a JSON object.")
    var data: String

    @Option(help: "The endpoint, e.g. http://127.0.0.1:8470/v1/triggers.")
    var url: String

    @Option(name: .customLong("secret-file"), help: "A file with the whsec_… secret.")
    var secretFile: String

    @Option(help: "The sending system's name (the kallad-system header).")
    var system: String?

    @Option(help: "The webhook-id (default: a random msg_… id).")
    var id: String?

    func validate() throws {
        guard TriggerCommand.types.contains(type) else {
            throw ValidationError("TYPE must be one of " + TriggerCommand.types.joined(separator: ", "))
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--url must be an http(s) URL")
        }
    }

    func run() async throws {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(data.utf8)), parsed is [String: Any] else {
            Console.error("--data must be a JSON object")
            throw ExitCode(ExitStatus.unusable)
        }
        let secret: String
        switch SecretFiles.read(secretFile) {
        case .success(let text): secret = text
        case .failure(let error):
            Console.error(error.description)
            throw ExitCode(ExitStatus.unusable)
        }
        let now = Int64(Date().timeIntervalSince1970)
        let typeJSON = String(decoding: try JSONEncoder().encode(type), as: UTF8.self)
        let timestamp = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(now)))
        let body = "{\"type\":\(typeJSON),\"timestamp\":\"\(timestamp)\",\"data\":\(data)}"
        let messageID = id ?? "msg_" + (0..<12).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        let signature: String
        do {
            signature = try WebhookSignature.sign(id: messageID, timestamp: now, body: body, secrets: [secret])
        } catch {
            Console.error("\(secretFile): \(error.message)")
            throw ExitCode(ExitStatus.unusable)
        }
        var headers = [
            "content-type": "application/json", "webhook-id": messageID, "webhook-timestamp": String(now),
            "webhook-signature": signature,
        ]
        if let system { headers["kallad-system"] = system }
        let request = OutgoingRequest(method: "POST", url: url, headers: headers, body: body)
        let outcome = await HTTPTransport(settings: HTTPSettings(connectTimeout: 5, timeout: 30)).send([request])
        switch outcome.first {
        case .delivered(let reply?):
            print("\(reply.code) \(reply.text)")
        case .transient(let reply?, _, _), .permanent(let reply?, _):
            print("\(reply.code) \(reply.text)")
            throw ExitCode(ExitStatus.violations)
        case .configuration(let reason) where reason.contains("refused our credentials"):
            // 401 and 403 come back as a configuration problem of ours, without the body.
            print(reason)
            throw ExitCode(ExitStatus.violations)
        case .transient(nil, let reason, _), .permanent(nil, let reason), .configuration(let reason):
            Console.error("no answer from \(url): \(reason)")
            throw ExitCode(ExitStatus.unusable)
        case .delivered(nil), nil:
            Console.error("no answer from \(url)")
            throw ExitCode(ExitStatus.unusable)
        }
    }
}
