import Foundation

/// A JSON parse error in a person's terms: where (line and column) and what, instead of
/// Foundation's "around character 9".
enum JSONErrorText {
    static func describe(_ error: any Error, in data: Data) -> String {
        let bytes = [UInt8](data)
        let debug = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? ""
        let offset: Int
        let what: String
        if let range = debug.range(of: "character "), let number = Int(debug[range.upperBound...].prefix(while: \.isNumber)) {
            offset = min(number, bytes.count)
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "/") {
                what = "a comment, which JSON does not allow"
            } else if offset < bytes.count {
                what = "unexpected \(String(decoding: bytes[offset..<min(offset + 12, bytes.count)], as: UTF8.self).split(separator: "\n").first.map { "\"\($0)\"" } ?? "text")"
            } else {
                what = "the text ends early"
            }
        } else if debug.localizedCaseInsensitiveContains("end of file") || debug.localizedCaseInsensitiveContains("unexpected end") {
            offset = bytes.count
            what = "the text ends before the JSON does (a missing } or ])"
        } else {
            return debug.isEmpty ? "it does not parse" : debug
        }
        let before = bytes[..<offset]
        let line = before.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
        return "\(what) at line \(line), column \(column)"
    }
}
