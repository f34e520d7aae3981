import HTTPTypes
import Hummingbird
import KalladCore
import Logging
import NIOCore
import NIOHTTPTypes

/// `POST /v1/triggers` answered on the connection's event loop, without a task per request: in Hummingbird's
/// HTTP/1 pipeline after the HTTP codec and before the router. A trigger that passes every check at once
/// (`TriggerEndpoint.checkAtOnce`) goes straight to the inbox's group commit; its 202 is written when the commit
/// that holds it is on disk. Everything else — other routes, and any trigger that is refused, a replay, needs the
/// overlay, or could not be recorded — is passed on unchanged to the router, which answers it as before (problem
/// documents, metrics and logs included), so a refusal is only ever answered by `TriggerEndpoint.handle`.
///
/// Answers leave in request order: a trigger is taken here only while no request passed on is still unanswered,
/// and while one is being recorded, what the client sends next waits in `held`. The socket is still read while
/// few parts wait (a client that waits for each answer sends nothing meanwhile): stopping and restarting reads
/// for every trigger cost two `epoll_ctl` calls each; a client that pipelines many requests is stopped once
/// `heldLimit` parts wait.
final class TriggerChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let services: DaemonServices
    /// Requests passed on to the router whose answer has not gone out yet.
    private var routed = 0
    /// The trigger being read here: its head and its body so far.
    private var taking: (head: HTTPRequest, body: ByteBuffer?)?
    /// A trigger is being recorded: request parts that arrive meanwhile wait in `held`.
    private var recording = false
    private var held: [HTTPRequestPart] = []
    /// The channel asked to read while a trigger was being recorded and `heldLimit` parts were waiting.
    private var readWaiting = false
    /// Request parts that may wait while a trigger is recorded before the socket is no longer read: a head, a body
    /// and an end are one request.
    static let heldLimit = 12
    /// Parts were passed on since the last read completed (the router's side takes them when one completes).
    private var passedSinceReadComplete = false
    /// The series counting this connection's 202s, and its accepted triggers of the last system and type (a
    /// client usually sends one kind): counted without building and hashing labels for each trigger.
    private var answered: CounterSeries?
    private var accepted: (system: String, type: String, counted: CounterSeries)?

    init(services: DaemonServices) { self.services = services }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        held.append(unwrapInboundIn(data))
        release(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        passedSinceReadComplete = false
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if recording && held.count >= Self.heldLimit {
            readWaiting = true
        } else {
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { routed = max(0, routed - 1) }
        context.write(data, promise: promise)
    }

    /// Handles the parts waiting, in order, until a trigger is being recorded.
    private func release(context: ChannelHandlerContext) {
        while !recording && !held.isEmpty {
            handle(held.removeFirst(), context: context)
        }
    }

    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            if routed == 0 && Self.takes(head) {
                taking = (head, nil)
            } else {
                pass(part, context: context)
            }
        case .body(var chunk):
            guard var request = taking else {
                pass(part, context: context)
                return
            }
            if var body = request.body {
                body.writeBuffer(&chunk)
                request.body = body
            } else {
                request.body = chunk
            }
            if (request.body?.readableBytes ?? 0) > DaemonRouter.maxTriggerBytes {
                // Not for here after all: the router refuses it (413) as it always did.
                taking = nil
                pass(.head(request.head), context: context)
                if let body = request.body { pass(.body(body), context: context) }
            } else {
                taking = request
            }
        case .end(let trailers):
            guard let request = taking else {
                pass(part, context: context)
                return
            }
            taking = nil
            if trailers == nil {
                take(request.head, body: request.body, context: context)
            } else {
                passWhole(request.head, body: request.body, trailers: trailers, context: context)
            }
        }
    }

    /// Whether a request is one this handler may answer: a trigger with a body of a stated size within the limit,
    /// on a connection the client keeps open, without `Expect: 100-continue`.
    static func takes(_ head: HTTPRequest) -> Bool {
        guard head.method == .post, head.path == "/v1/triggers",
            let length = head.headerFields[.contentLength].flatMap(Int.init), length <= DaemonRouter.maxTriggerBytes,
            head.headerFields[.transferEncoding] == nil, head.headerFields[.expect] == nil
        else { return false }
        if let connection = head.headerFields[.connection], connection.lowercased().contains("close") { return false }
        return true
    }

    private func take(_ head: HTTPRequest, body: ByteBuffer?, context: ChannelHandlerContext) {
        let bytes = body.map { Array($0.readableBytesView) } ?? []
        guard let trigger = TriggerEndpoint.checkAtOnce(services, fields: head.headerFields, bytes: bytes) else {
            passWhole(head, body: body, trailers: nil, context: context)
            return
        }
        recording = true
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        services.inbox.record(trigger) { result in
            let accepted = (try? result.get()) == .accepted
            loop.execute {
                let (handler, context) = bound.value
                handler.recorded(trigger, accepted: accepted, head: head, body: body, context: context)
            }
        }
    }

    /// Back on the event loop once the inbox has answered: the 202, or the request passed on to the router (a
    /// replay, a store error: it answers those as it always did).
    private func recorded(
        _ trigger: InboundTrigger, accepted: Bool, head: HTTPRequest, body: ByteBuffer?, context: ChannelHandlerContext
    ) {
        recording = false
        if accepted {
            let document = context.channel.allocator.buffer(
                string: TriggerEndpoint.wasAccepted(trigger, services: services, counted: acceptedSeries(trigger)))
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            fields[.contentLength] = String(document.readableBytes)
            context.write(wrapOutboundOut(.head(HTTPResponse(status: .accepted, headerFields: fields))), promise: nil)
            context.write(wrapOutboundOut(.body(document)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if answered == nil {
                answered = services.metrics.counter(
                    KalladMetrics.httpRequests, labels: ["route": "/v1/triggers", "code": "202"])
            }
            answered?.increment()
            services.logger.debug(
                "request", metadata: ["http.method": "POST", "http.route": "/v1/triggers", "http.status": "202"])
        } else {
            passWhole(head, body: body, trailers: nil, context: context)
        }
        release(context: context)
        if passedSinceReadComplete {
            passedSinceReadComplete = false
            context.fireChannelReadComplete()
        }
        if readWaiting && (!recording || held.count < Self.heldLimit) {
            readWaiting = false
            context.read()
        }
    }

    private func acceptedSeries(_ trigger: InboundTrigger) -> CounterSeries {
        if let accepted, accepted.system == trigger.system, accepted.type == trigger.type { return accepted.counted }
        let counted = TriggerEndpoint.acceptedSeries(trigger, services: services)
        accepted = (trigger.system, trigger.type, counted)
        return counted
    }

    private func passWhole(
        _ head: HTTPRequest, body: ByteBuffer?, trailers: HTTPFields?, context: ChannelHandlerContext
    ) {
        pass(.head(head), context: context)
        if let body { pass(.body(body), context: context) }
        pass(.end(trailers), context: context)
    }

    private func pass(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        if case .head = part { routed += 1 }
        passedSinceReadComplete = true
        context.fireChannelRead(wrapInboundOut(part))
    }
}
