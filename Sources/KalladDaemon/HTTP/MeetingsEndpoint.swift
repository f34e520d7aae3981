import Foundation
import Hummingbird
import KalladCore

/// `GET /v1/meetings?body=&from=&to=`: meetings with their convener, chair and secretary, computed by the
/// scheduler and role resolver from the registry and the inbox's overlay. `from` defaults to today, `to` to 90
/// days later; the range is cut to 731 days, and one outside 1990–2200 (or backwards) has no meetings.
struct MeetingsEndpoint {
    let services: DaemonServices

    struct Person: Encodable {
        var id: String
        var name: String
    }

    struct Item: Encodable {
        var title: String
        var submittedBy: String?
    }

    struct View: Encodable {
        var id: String
        var body: String
        var kind: String
        var status: String
        var start: String
        var end: String
        var location: String
        var sequence: Int
        var requestedBy: String?
        var reason: String?
        var convener: Person?
        var chair: Person?
        var secretary: Person?
        var agenda: [Item]
    }

    func handle(_ request: Request) async throws -> Response {
        let config = try DaemonRouter.requireConfig(services)
        try DaemonRouter.authorizeRead(request, config: config)
        let query = request.uri.queryParameters
        let today = config.registry.settings.zone.local(services.clock()).date
        var problems: [FieldProblem] = []
        func date(_ name: String, default value: LocalDate) -> LocalDate {
            guard let text = query.get(name) else { return value }
            guard text.count == 10, let parsed = LocalDate(iso: text) else {
                problems.append(FieldProblem(field: name, message: "'\(text)' is not a date (YYYY-MM-DD)"))
                return value
            }
            return parsed
        }
        let from = date("from", default: today)
        let requestedTo = date("to", default: from.adding(days: 90))
        let to = min(requestedTo, from.adding(days: 731))
        let body = query.get("body")
        if let body, config.registry.body(body) == nil {
            throw Problem(
                .notFound, code: "query.unknown_body", detail: "no body '\(body)'",
                fields: [FieldProblem(field: "body", message: "is not a body in the registry")])
        }
        guard problems.isEmpty else {
            throw Problem(.badRequest, code: "query.invalid", detail: "the query is not usable", fields: problems)
        }
        let years = 1990...2200
        guard from <= to, years.contains(from.year) || years.contains(to.year) else {
            return try DaemonRouter.json([View]())
        }
        let overlay = try await services.inbox.overlay()
        let schedule = services.cache.schedule(
            config, years: max(from.year, 1990)...min(to.year, 2200), overlay: overlay)
        let roles = RoleResolver(registry: config.registry, schedule: schedule)
        let registry = config.registry
        func person(_ role: Role, _ meeting: Meeting) -> Person? {
            guard let id = roles.holder(of: role, at: meeting)?.person else { return nil }
            return Person(id: id, name: registry.people[id]?.name ?? id)
        }
        let views = schedule.meetings.filter { meeting in
            (body == nil || meeting.body == body) && meeting.date >= from && meeting.date <= to
        }.map { meeting in
            View(
                id: meeting.id, body: meeting.body, kind: meeting.kind.rawValue, status: meeting.status.rawValue,
                start: meeting.start.description, end: meeting.end.description, location: meeting.location,
                sequence: meeting.sequence, requestedBy: meeting.requestedBy,
                reason: meeting.reason.isEmpty ? nil : meeting.reason, convener: person(.convener, meeting),
                chair: person(.chair, meeting), secretary: person(.secretary, meeting),
                agenda: meeting.agenda.map { Item(title: $0.title, submittedBy: $0.submittedBy) })
        }
        return try DaemonRouter.json(views)
    }
}
