/// Finds a key that appears twice in one JSON object. JSON parsers keep one of the two values
/// without a word, so a configuration that says `"mode"` twice would run with whichever won.
/// Reads text that already parsed as JSON; keys are compared as written.
enum DuplicateKeys {
    /// The first repeated key and the line it is repeated on.
    static func first(in bytes: [UInt8]) -> (key: String, line: Int)? {
        var objects: [(keys: Set<String>, expectingKey: Bool)?] = []  // nil: an array
        var line = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
            case UInt8(ascii: "{"):
                objects.append((keys: [], expectingKey: true))
            case UInt8(ascii: "["):
                objects.append(nil)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = objects.popLast()
            case UInt8(ascii: ","):
                if let last = objects.indices.last, objects[last] != nil { objects[last]!.expectingKey = true }
            case UInt8(ascii: "\""):
                let start = index + 1
                index = start
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                let text = String(decoding: bytes[start..<min(index, bytes.count)], as: UTF8.self)
                if let last = objects.indices.last, let object = objects[last], object.expectingKey {
                    guard !object.keys.contains(text) else { return (text, line) }
                    objects[last] = (keys: object.keys.union([text]), expectingKey: false)
                }
            default:
                break
            }
            index += 1
        }
        return nil
    }
}
