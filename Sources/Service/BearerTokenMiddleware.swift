import Hummingbird

/// Every call but `/healthz` must carry `Authorization: Bearer <token>` when a token is set; the
/// comparison takes the same time wherever the first difference is, so the answer's timing does
/// not leak the token. A refusal is `401` with the API's error shape and never echoes the header.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let expected: [UInt8]?

    init(token: String?) {
        expected = token.map { Array(("Bearer " + $0).utf8) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let expected, request.uri.path != "/healthz" else { return try await next(request, context) }
        let given = Array((request.headers[.authorization] ?? "").utf8)
        guard Self.equal(given, expected) else {
            return HTTPAnswers.error(.unauthorized, code: "unauthorized", "this call needs Authorization: Bearer <token> (--auth-token or LAKEINGEST_AUTH_TOKEN)")
        }
        return try await next(request, context)
    }

    /// Constant time in the length of `expected`.
    static func equal(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
