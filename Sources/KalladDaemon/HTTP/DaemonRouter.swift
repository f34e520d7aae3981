import Foundation
public import Hummingbird
public import HummingbirdCore
public import KalladCore
public import Logging

/// What the HTTP API works with: the configuration, the inbox, metrics, the clock.
public struct DaemonServices: Sendable {
    /// The configuration in use.
    public let config: ConfigHolder
    /// Where accepted triggers go.
    public let inbox: any TriggerInbox
    /// Metrics.
    public let metrics: MetricsRegistry
    /// Schedules for validation and `GET /v1/meetings`.
    public let cache: ScheduleCache
    /// Now.
    public let clock: @Sendable () -> Instant
    /// The logger.
    public let logger: Logger
    /// Called after a trigger was recorded (wakes the planner).
    public let triggerRecorded: @Sendable (InboundTrigger) -> Void
    /// Why the outbox cannot take work now (a full disk, a read-only database), or nil when it can.
    public let outboxProblem: @Sendable () async -> String?

    /// Creates the services.
    public init(
        config: ConfigHolder, inbox: any TriggerInbox, metrics: MetricsRegistry, cache: ScheduleCache = ScheduleCache(),
        clock: @escaping @Sendable () -> Instant = ConfigHolder.systemClock, logger: Logger,
        triggerRecorded: @escaping @Sendable (InboundTrigger) -> Void = { _ in },
        outboxProblem: @escaping @Sendable () async -> String? = { nil }
    ) {
        self.outboxProblem = outboxProblem
        self.config = config
        self.inbox = inbox
        self.metrics = metrics
        self.cache = cache
        self.clock = clock
        self.logger = logger
        self.triggerRecorded = triggerRecorded
    }
}

/// The routes of Kallad's HTTP API (documented in `openapi/kallad.openapi.yaml`, served at `/openapi.yaml`).
public enum DaemonRouter {
    /// Largest trigger body accepted.
    public static let maxTriggerBytes = 64 * 1024

    /// The HTTP/1 server with `POST /v1/triggers` answered on the event loop where it can be
    /// (`TriggerChannelHandler`); everything else goes to the router of `build`.
    public static func server(_ services: DaemonServices) -> HTTPServerBuilder {
        .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [TriggerChannelHandler(services: services)]))
    }

    /// The router with every route and the metrics middleware.
    public static func build(_ services: DaemonServices) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: services.metrics, logger: services.logger))
        router.get("/healthz") { _, _ in text("ok\n") }
        router.get("/readyz") { _, _ in try await ready(services) }
        router.get("/metrics") { _, _ in
            text(services.metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/openapi.yaml") { _, _ in text(OpenAPIDocument.yaml, contentType: "application/yaml") }
        router.post("/v1/triggers") { request, _ in try await TriggerEndpoint(services: services).handle(request) }
        router.get("/v1/meetings") { request, _ in try await MeetingsEndpoint(services: services).handle(request) }
        router.get("/v1/deliveries") { request, _ in
            let config = try requireConfig(services)
            try authorizeRead(request, config: config)
            guard let meeting = request.uri.queryParameters.get("meeting"), !meeting.isEmpty else {
                throw Problem(
                    .badRequest, code: "query.missing", detail: "the meeting parameter is required",
                    fields: [FieldProblem(field: "meeting", message: "is required")])
            }
            let reports = try await services.inbox.deliveries(meeting: meeting)
            return try json(reports)
        }
        return router
    }

    static func ready(_ services: DaemonServices) async throws -> Response {
        guard services.config.current != nil else {
            throw Problem(.serviceUnavailable, code: "ready.no_config", detail: "no configuration is loaded")
        }
        do {
            _ = try await services.inbox.overlay()
        } catch {
            throw Problem(.serviceUnavailable, code: "ready.inbox", detail: "the store does not answer")
        }
        if let problem = await services.outboxProblem() {
            throw Problem(.serviceUnavailable, code: "ready.outbox", detail: problem)
        }
        return text("ready\n")
    }

    static func requireConfig(_ services: DaemonServices) throws -> LoadedConfig {
        guard let config = services.config.current else {
            throw Problem(.serviceUnavailable, code: "ready.no_config", detail: "no configuration is loaded")
        }
        return config
    }

    /// Checks `Authorization: Bearer <read token>` in constant time.
    static func authorizeRead(_ request: Request, config: LoadedConfig) throws {
        guard let token = config.readToken else {
            throw Problem(
                .forbidden, code: "read.closed",
                detail: "the read endpoints are closed: no read_token_file is configured")
        }
        let offered = header(request, "authorization") ?? ""
        let expected = "Bearer " + token
        let a = Array(offered.utf8), b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<min(a.count, b.count) { difference |= a[index] ^ b[index] }
        guard difference == 0 else {
            throw Problem(.unauthorized, code: "read.token", detail: "a valid Bearer token is required")
        }
    }

    static func header(_ request: Request, _ name: String) -> String? {
        header(request.headers, name)
    }

    static func header(_ fields: HTTPFields, _ name: String) -> String? {
        fields.first { $0.name.canonicalName == name }?.value
    }

    static func text(_ body: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(
            status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Counts requests by route and status, and logs each at debug.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let metrics: MetricsRegistry
    let logger: Logger

    /// Each route and its one method.
    static let routes: [String: HTTPRequest.Method] = [
        "/healthz": .get, "/readyz": .get, "/metrics": .get, "/openapi.yaml": .get, "/v1/triggers": .post,
        "/v1/meetings": .get, "/v1/deliveries": .get,
    ]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        let route = Self.routes[path] != nil ? path : "other"
        if let allowed = Self.routes[path], request.method != allowed, !(allowed == .get && request.method == .head) {
            record(route, 405, request)
            var problem = Problem(
                .methodNotAllowed, code: "http.method", detail: "\(path) answers \(allowed.rawValue) only")
            problem.allow = allowed.rawValue
            throw problem
        }
        do {
            let response = try await next(request, context)
            record(route, response.status.code, request)
            return response
        } catch let error as any HTTPResponseError {
            record(route, error.status.code, request)
            throw error
        } catch {
            record(route, 500, request)
            logger.error("request failed", metadata: ["http.route": "\(route)", "error": "\(error)"])
            throw error
        }
    }

    func record(_ route: String, _ status: Int, _ request: Request) {
        metrics.increment(KalladMetrics.httpRequests, labels: ["route": route, "code": String(status)])
        logger.debug(
            "request",
            metadata: ["http.method": "\(request.method)", "http.route": "\(route)", "http.status": "\(status)"])
    }
}
