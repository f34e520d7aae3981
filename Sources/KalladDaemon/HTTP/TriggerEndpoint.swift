import Foundation
import Hummingbird
import KalladCore
import Logging

/// `POST /v1/triggers`: size, signature, JSON, permissions, existence, then the inbox.
///
/// Answers: 202 accepted; 400 not JSON; 401 unsigned, bad or stale signature; 403 a body the system may not touch;
/// 404 no such body or meeting; 409 a `webhook-id` seen before (a replay; nothing changes, so a sender that lost
/// the first answer can treat 409 as done); 413 over 64 KiB; 422 fields wrong; 503 no configuration loaded.
struct TriggerEndpoint {
    let services: DaemonServices

    /// The 202 document, written by hand: it is on the hot path and JSONEncoder costs more than the rest.
    static func accepted(id: String, type: String, system: String, meetings: [String]) -> String {
        var out = "{\"id\":"
        out.reserveCapacity(160)
        JSONString.appendWhole(id, to: &out)
        out += ",\"meetings\":["
        for (index, meeting) in meetings.enumerated() {
            if index > 0 { out += "," }
            JSONString.appendWhole(meeting, to: &out)
        }
        out += "],\"status\":\"accepted\",\"system\":"
        JSONString.appendWhole(system, to: &out)
        out += ",\"type\":"
        JSONString.appendWhole(type, to: &out)
        return out + "}"
    }

    func handle(_ request: Request) async throws -> Response {
        let config = try DaemonRouter.requireConfig(services)
        if let length = DaemonRouter.header(request, "content-length").flatMap(Int.init),
            length > DaemonRouter.maxTriggerBytes
        {
            throw tooLarge()
        }
        var buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: DaemonRouter.maxTriggerBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge()
        }
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        guard let body = String(validating: bytes, as: UTF8.self) else {
            throw count(
                Problem(.badRequest, code: "trigger.encoding", detail: "the body is not UTF-8"), system: nil, type: nil)
        }
        let headers = Self.webhookHeaders(request.headers)
        let now = services.clock()
        let system: SendingSystem
        switch TriggerAuthenticator.authenticate(headers, body: body, config: config, now: now) {
        case .failure(let problem): throw count(problem, system: nil, type: nil)
        case .success(let found): system = found
        }
        let id = headers.id ?? ""
        let command: TriggerCommand
        switch TriggerParser.parse(bytes) {
        case .failure(let rejection): throw count(Problem(rejection), system: system.name, type: nil)
        case .success(let parsed): command = parsed
        }
        let type = Self.typeName(command)
        let resolver = TriggerResolver(
            config: config, lookup: ScheduleLookup(config: config, inbox: services.inbox, cache: services.cache))
        let changes: [OverlayChange]
        switch try await resolver.resolve(command, id: id, system: system, now: now) {
        case .failure(let rejection): throw count(Problem(rejection), system: system.name, type: type)
        case .success(let found): changes = found
        }
        let trigger = InboundTrigger(
            id: id, system: system.name, type: type, receivedAt: now, changes: changes, payload: body)
        switch try await services.inbox.record(trigger) {
        case .duplicate:
            throw count(
                Problem(
                    .conflict, code: "trigger.replay",
                    detail: "a trigger with this webhook-id was received before; nothing changed",
                    fields: [FieldProblem(field: "webhook-id", message: "already used")]), system: system.name,
                type: type)
        case .accepted:
            return Response(
                status: .accepted, headers: [.contentType: "application/json"],
                body: ResponseBody(
                    byteBuffer: ByteBuffer(
                        string: Self.wasAccepted(
                            trigger, services: services, counted: Self.acceptedSeries(trigger, services: services)))))
        }
    }

    /// Counts (in `counted`, the series `acceptedSeries` gives) and logs an accepted trigger, tells
    /// `triggerRecorded`, and gives the 202 document.
    static func wasAccepted(_ trigger: InboundTrigger, services: DaemonServices, counted: CounterSeries) -> String {
        counted.increment()
        let meetings = trigger.changes.map(Self.meetingID)
        services.logger.info(
            "trigger accepted",
            metadata: [
                "trigger.id": .string(trigger.id), "trigger.type": .string(trigger.type),
                "trigger.system": .string(trigger.system),
                "meeting.id": .string(meetings.count == 1 ? meetings[0] : meetings.joined(separator: ",")),
            ])
        services.triggerRecorded(trigger)
        return accepted(id: trigger.id, type: trigger.type, system: trigger.system, meetings: meetings)
    }

    /// The series that counts accepted triggers of this system and type.
    static func acceptedSeries(_ trigger: InboundTrigger, services: DaemonServices) -> CounterSeries {
        services.metrics.counter(
            KalladMetrics.triggers, labels: ["system": trigger.system, "type": trigger.type, "outcome": "accepted"])
    }

    /// The Standard Webhooks headers and the sending system's name, as a request carries them.
    static func webhookHeaders(_ fields: HTTPFields) -> WebhookHeaders {
        WebhookHeaders(
            id: DaemonRouter.header(fields, "webhook-id"),
            timestamp: DaemonRouter.header(fields, "webhook-timestamp"),
            signature: DaemonRouter.header(fields, "webhook-signature"),
            system: DaemonRouter.header(fields, "kallad-system"))
    }

    /// The trigger, when every check passes without waiting for the inbox (`TriggerResolver.resolveAtOnce`):
    /// configuration, size, UTF-8, signature, JSON, permissions, the meeting in the registry's schedule. nil for
    /// anything else — a refusal, a deviation, an extra meeting — which `handle` then answers, problem and all;
    /// nothing is counted or logged here.
    static func checkAtOnce(_ services: DaemonServices, fields: HTTPFields, bytes: [UInt8]) -> InboundTrigger? {
        guard let config = services.config.current, bytes.count <= DaemonRouter.maxTriggerBytes,
            let body = String(validating: bytes, as: UTF8.self)
        else { return nil }
        let headers = webhookHeaders(fields)
        let now = services.clock()
        guard case .success(let system) = TriggerAuthenticator.authenticate(headers, body: body, config: config, now: now),
            case .success(let command) = TriggerParser.parse(bytes)
        else { return nil }
        let id = headers.id ?? ""
        let lookup = ScheduleLookup(config: config, inbox: services.inbox, cache: services.cache)
        guard
            case .success(let changes) = TriggerResolver(config: config, lookup: lookup).resolveAtOnce(
                command, id: id, system: system, now: now, baseMeeting: lookup.baseMeeting)
        else { return nil }
        return InboundTrigger(
            id: id, system: system.name, type: typeName(command), receivedAt: now, changes: changes, payload: body)
    }

    func tooLarge() -> Problem {
        count(
            Problem(
                .contentTooLarge, code: "trigger.too_large",
                detail: "the body is larger than \(DaemonRouter.maxTriggerBytes) bytes"), system: nil, type: nil)
    }

    func count(_ problem: Problem, system: String?, type: String?) -> Problem {
        services.metrics.increment(
            KalladMetrics.triggers,
            labels: ["system": system ?? "unknown", "type": type ?? "unknown", "outcome": problem.code])
        services.logger.notice(
            "trigger refused",
            metadata: [
                "trigger.system": "\(system ?? "unknown")", "problem.code": "\(problem.code)",
                "http.status": "\(problem.status.code)", "problem.detail": "\(problem.detail)",
            ])
        return problem
    }

    static func typeName(_ command: TriggerCommand) -> String {
        switch command {
        case .meetingRequested: "meeting.requested"
        case .meetingCancelled: "meeting.cancelled"
        case .meetingMoved: "meeting.moved"
        case .agendaItemAdded: "agenda.item.added"
        case .deviationReported: "deviation.reported"
        case .summonsSendNow: "summons.send_now"
        }
    }

    static func meetingID(_ change: OverlayChange) -> String {
        if case .extra(let body, let start, _, _, _) = change.action {
            return Overlay.extraMeetingID(body: body, date: start.date, changeID: change.id)
        }
        return change.meetingID ?? ""
    }
}
