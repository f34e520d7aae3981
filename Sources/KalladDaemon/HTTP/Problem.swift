import Foundation
public import Hummingbird

/// An RFC 9457 problem (`application/problem+json`): what was wrong, with a stable code and field-level detail.
public struct Problem: Error, HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable code (`trigger.signature`), also the `type` URI's last part.
    public var code: String
    /// One sentence about this occurrence.
    public var detail: String
    /// Field-level problems.
    public var fields: [FieldProblem]
    /// The `Allow` header of a 405.
    public var allow: String?

    /// Creates a problem.
    public init(_ status: HTTPResponse.Status, code: String, detail: String, fields: [FieldProblem] = []) {
        self.status = status
        self.code = code
        self.detail = detail
        self.fields = fields
    }

    /// The problem a trigger rejection answers with.
    public init(_ rejection: TriggerRejection) {
        let status: HTTPResponse.Status =
            switch rejection.kind {
            case .malformed: rejection.code == "trigger.json" ? .badRequest : .unprocessableContent
            case .invalid: .unprocessableContent
            case .forbidden: .forbidden
            case .notFound: .notFound
            }
        self.init(status, code: rejection.code, detail: rejection.detail, fields: rejection.fields)
    }

    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var code: String
        var errors: [FieldProblem]?
    }

    /// The JSON document.
    public var json: String {
        let body = Body(
            type: "https://kallad.example/problems/\(code)", title: status.reasonPhrase, status: status.code,
            detail: detail, code: code, errors: fields.isEmpty ? nil : fields)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(body)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let allow { headers[.allow] = allow }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}
