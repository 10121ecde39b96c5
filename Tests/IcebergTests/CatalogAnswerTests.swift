import Iceberg
import Testing

/// Catalog answers of the wrong shape are refused naming the field, never read as empty.
@Suite("Iceberg REST catalog answers")
struct CatalogAnswerTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("well-formed answers read", arguments: [0])
    func wellFormed(_: Int) throws {
        let config = try CatalogAnswers.config(Self.bytes(#"{"defaults": {"prefix": "a", "x": "1"}, "overrides": {"prefix": "b"}}"#))
        #expect(config.prefix == "b" && config.properties == ["prefix": "b", "x": "1"])
        let namespaces = try CatalogAnswers.namespaces(Self.bytes(#"{"namespaces": [["sales"], ["a", "b"]], "next-page-token": "t2"}"#))
        #expect(namespaces.namespaces == [["sales"], ["a", "b"]] && namespaces.nextPageToken == "t2")
        let tables = try CatalogAnswers.tables(Self.bytes(#"{"identifiers": [{"name": "orders"}, {"namespace": ["x"], "name": "y"}]}"#), namespace: ["sales"])
        #expect(tables.tables.map(\.name) == ["orders", "y"] && tables.tables.map(\.namespace) == [["sales"], ["x"]])
        #expect(tables.nextPageToken == nil)
    }

    @Test("malformed answers are refused naming the field", arguments: [
        (#"{"namespaces": "oops"}"#, "namespaces"), (#"{"namespaces": [["a"], 7]}"#, "namespaces[1]"),
        (#"{"namespaces": [[]]}"#, "namespaces[0]"), (#"{"namespaces": [["a"]], "next-page-token": 5}"#, "next-page-token"),
        (#"{"namespaces": [["a"]"#, "not valid JSON"), ("", "not valid JSON"), ("[1]", "not a JSON object"),
    ])
    func namespaces(text: String, named: String) {
        let error = #expect(throws: IcebergError.self) { try CatalogAnswers.namespaces(Self.bytes(text)) }
        #expect(error?.code == .invalidResponse)
        #expect(error?.message.contains(named) == true, "\(error!)")
    }

    @Test("malformed config, tables and loadTable answers are refused")
    func others() {
        for text in [#"{"defaults": "x"}"#, #"{"overrides": {"prefix": 3}}"#, "{"] {
            #expect(throws: IcebergError.self, "\(text)") { try CatalogAnswers.config(Self.bytes(text)) }
        }
        for text in ["{}", #"{"identifiers": {}}"#, #"{"identifiers": [{"namespace": "x", "name": "y"}]}"#, #"{"identifiers": [{}]}"#] {
            #expect(throws: IcebergError.self, "\(text)") { try CatalogAnswers.tables(Self.bytes(text), namespace: ["n"]) }
        }
        for text in ["{}", #"{"metadata": 1}"#, #"{"metadata": {}}"#] {
            #expect(throws: IcebergError.self, "\(text)") { try CatalogAnswers.loadTable(Self.bytes(text), name: "n.t") }
        }
    }
}
