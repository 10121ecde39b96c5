import Foundation
import Hummingbird

/// The HTTP shapes of the API: JSON bodies, and `{"error": {"code", "message"}}` for refusals.
enum HTTPAnswers {
    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: Array(data) + [0x0A])))
    }

    static func error(_ status: HTTPResponse.Status, code: String, _ message: String) -> Response {
        json(["error": ["code": code, "message": message]], status: status)
    }

    static func text(_ text: String, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func unknownTask(_ name: String) -> Response {
        error(.notFound, code: "notFound", "no task named \(name) in this service")
    }
}
