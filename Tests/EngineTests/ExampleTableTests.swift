import Engine
import Foundation
import Testing
import TestSupport

extension EngineEndToEnd {
    /// The committed example table (`make demo`) still ingests: its metadata records the path it
    /// was written at, and the engine reads it where it is now.
    @Suite("engine: the example table")
    struct ExampleTableTests {
        @Test("examples/orders-task.json ingests all 80 rows of the moved table")
        func example() async throws {
            let out = EngineFixtures.temporaryDirectory("example")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let text = try String(contentsOfFile: Repository.root + "/examples/orders-task.json", encoding: .utf8)
                .replacingOccurrences(of: "\"out/segments\"", with: "\"\(out)/segments\"")
                .replacingOccurrences(of: "\"out/state\"", with: "\"\(out)/state\"")
            let configuration = try TaskConfiguration.parse(Data(text.utf8), baseDirectory: Repository.root + "/examples")
            let report = try await IngestionTask(configuration: configuration).run()
            #expect(report.completed, "\(report.status?.error?.text ?? "")")
            var rows = 0
            var ids = Set<Int64>()
            for file in try FileManager.default.contentsOfDirectory(atPath: out + "/segments") {
                let reader = try SegmentReaderHelper.read(out + "/segments/" + file)
                rows += reader.count
                ids.formUnion(reader)
            }
            #expect(rows == 80 && ids.count == 80)
            #expect(ids.min() == 1000 && ids.max() == 3014)
        }
    }
}
