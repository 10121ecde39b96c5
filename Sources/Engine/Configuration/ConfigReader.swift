import Foundation

/// Reads one JSON object of the task configuration, keeping track of the keys it was asked for,
/// so that a key nobody reads (a typo such as `tabelName`) is an error naming it, not ignored.
/// JSON `null` counts as absent.
struct ConfigReader {
    let values: [String: Any]
    /// The dotted path of this object (`source.storage`), for messages.
    let path: String
    let file: String
    private var read: Set<String> = []

    init(_ values: [String: Any], path: String, file: String) {
        self.values = values
        self.path = path
        self.file = file
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    private func value(_ key: String) -> Any? {
        guard let value = values[key], !(value is NSNull) else { return nil }
        return value
    }

    /// True when the key is present with the value `null` (which may mean something else than
    /// leaving the key out).
    mutating func isNull(_ key: String) -> Bool {
        read.insert(key)
        return values[key] is NSNull
    }

    private func wrong(_ key: String, _ expected: String) -> EngineError {
        EngineError(.invalidConfiguration, "\(file): \"\(name(key))\" must be \(expected)")
    }

    mutating func string(_ key: String) throws(EngineError) -> String? {
        read.insert(key)
        guard let value = value(key) else { return nil }
        guard let text = value as? String else { throw wrong(key, "a string") }
        return text
    }

    mutating func required(_ key: String) throws(EngineError) -> String {
        guard let text = try string(key), !text.isEmpty else {
            throw EngineError(.invalidConfiguration, "\(file): \"\(name(key))\" is required")
        }
        return text
    }

    mutating func bool(_ key: String) throws(EngineError) -> Bool? {
        read.insert(key)
        guard let value = value(key) else { return nil }
        guard let number = value as? NSNumber, Self.isBoolean(number) else { throw wrong(key, "true or false") }
        return number.boolValue
    }

    mutating func int(_ key: String) throws(EngineError) -> Int? {
        read.insert(key)
        guard let value = value(key) else { return nil }
        guard let number = value as? NSNumber, !Self.isBoolean(number),
              let integer = Int(exactly: number.doubleValue), Double(integer) == number.doubleValue else { throw wrong(key, "an integer") }
        return integer
    }

    /// An enum value by its raw name.
    mutating func choice<T: RawRepresentable>(_ key: String, _ type: T.Type, default fallback: T? = nil) throws(EngineError) -> T?
    where T.RawValue == String, T: CaseIterable {
        guard let text = try string(key) else { return fallback }
        guard let value = T(rawValue: text) else {
            throw EngineError(.invalidConfiguration,
                "\(file): \"\(name(key))\" is \"\(text)\"; it must be one of \(T.allCases.map { $0.rawValue }.joined(separator: ", "))")
        }
        return value
    }

    mutating func object(_ key: String) throws(EngineError) -> ConfigReader? {
        read.insert(key)
        guard let value = value(key) else { return nil }
        guard let object = value as? [String: Any] else { throw wrong(key, "an object") }
        return ConfigReader(object, path: name(key), file: file)
    }

    /// A JSON value of any shape (kept as parsed).
    mutating func any(_ key: String) -> Any? {
        read.insert(key)
        return value(key)
    }

    /// Fails on the first key that was never read, suggesting the nearest known key.
    func finish() throws(EngineError) {
        for key in values.keys.sorted() where !read.contains(key) {
            let suggestion = read.min { Self.distance($0, key) < Self.distance($1, key) }
            let hint = suggestion.map { Self.distance($0, key) <= max(2, key.count / 3) ? " (did you mean \"\(name($0))\"?)" : "" } ?? ""
            throw EngineError(.invalidConfiguration, "\(file): unknown key \"\(name(key))\"\(hint)")
        }
    }

    /// JSON `true`/`false` (as opposed to the numbers 1 and 0).
    static func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

    /// Levenshtein distance, for suggestions.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
