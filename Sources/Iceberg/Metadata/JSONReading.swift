import Foundation

/// Typed access to a parsed JSON object, with errors that name the missing or malformed key.
struct JSONObject {
    let values: [String: Any]
    let context: String

    init(_ any: Any?, context: String) throws(IcebergError) {
        guard let values = any as? [String: Any] else { throw IcebergError(.invalidMetadata, "\(context) is not a JSON object") }
        self.values = values
        self.context = context
    }

    static func parse(_ bytes: [UInt8], context: String) throws(IcebergError) -> JSONObject {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            // Foundation's own description says only "not in the correct format"; its debug
            // description names the place.
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw IcebergError(.invalidMetadata, "\(context) is not valid JSON" + (detail.map { " (\($0))" } ?? "") + " in \(bytes.count) bytes")
        }
        return try JSONObject(object, context: context)
    }

    func has(_ key: String) -> Bool { values[key] != nil && !(values[key] is NSNull) }

    func int(_ key: String) throws(IcebergError) -> Int {
        guard let value = optionalInt(key) else { throw IcebergError(.invalidMetadata, "\(context) lacks integer \"\(key)\"") }
        return value
    }

    func optionalInt(_ key: String) -> Int? {
        (values[key] as? NSNumber)?.intValue
    }

    func int64(_ key: String) throws(IcebergError) -> Int64 {
        guard let value = optionalInt64(key) else { throw IcebergError(.invalidMetadata, "\(context) lacks integer \"\(key)\"") }
        return value
    }

    func optionalInt64(_ key: String) -> Int64? { (values[key] as? NSNumber)?.int64Value }

    func string(_ key: String) throws(IcebergError) -> String {
        guard let value = values[key] as? String else { throw IcebergError(.invalidMetadata, "\(context) lacks string \"\(key)\"") }
        return value
    }

    func optionalString(_ key: String) -> String? { values[key] as? String }

    func bool(_ key: String, default fallback: Bool) -> Bool { (values[key] as? Bool) ?? (values[key] as? NSNumber)?.boolValue ?? fallback }

    func objects(_ key: String) throws(IcebergError) -> [JSONObject] {
        guard let array = values[key] as? [Any] else { throw IcebergError(.invalidMetadata, "\(context) lacks array \"\(key)\"") }
        var result: [JSONObject] = []
        for (i, item) in array.enumerated() { result.append(try JSONObject(item, context: "\(context).\(key)[\(i)]")) }
        return result
    }

    func optionalObjects(_ key: String) throws(IcebergError) -> [JSONObject] {
        has(key) ? try objects(key) : []
    }

    func object(_ key: String) throws(IcebergError) -> JSONObject {
        try JSONObject(values[key], context: "\(context).\(key)")
    }

    func stringMap(_ key: String) -> [String: String] {
        guard let map = values[key] as? [String: Any] else { return [:] }
        return map.compactMapValues { $0 as? String }
    }

    /// An absent key is empty; a present one must be an object of strings.
    func strictStringMap(_ key: String) throws(IcebergError) -> [String: String] {
        guard has(key) else { return [:] }
        guard let map = values[key] as? [String: Any] else { throw IcebergError(.invalidResponse, "\(context).\(key) is not an object") }
        var result: [String: String] = [:]
        for (name, value) in map {
            guard let text = value as? String else { throw IcebergError(.invalidResponse, "\(context).\(key).\(name) is not a string") }
            result[name] = text
        }
        return result
    }

    /// An absent or null key is nil; a present one must be a string.
    func strictOptionalString(_ key: String) throws(IcebergError) -> String? {
        guard has(key) else { return nil }
        guard let text = values[key] as? String else { throw IcebergError(.invalidResponse, "\(context).\(key) is not a string") }
        return text
    }
}
