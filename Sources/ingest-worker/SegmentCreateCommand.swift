import ArgumentParser
import Columnar
import Engine
import Foundation
import Parquet
import Pinot

/// `ingest-worker segment create`: one segment from local Parquet or JSON-lines files — the job
/// of Pinot's CreateSegment command, without a JVM.
struct SegmentCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Build one Pinot segment from local Parquet or JSON-lines files and write DIR/<segmentName>.tar.gz (.tar.zst for zstd).")

    @Option(name: .customLong("input"), help: "An input file (repeat for several).")
    var inputs: [String]

    @Option(help: "parquet or json (JSON lines, as Pinot's JSON record reader reads them).")
    var format: String = "parquet"

    @Option(help: "Pinot schema JSON; derived from the first Parquet file when absent.")
    var schema: String?

    @Option(name: .customLong("table-config"), help: "Pinot OFFLINE table config JSON.")
    var tableConfig: String?

    @Option(help: "The raw table name (default: the table config's, else the schema's name).")
    var table: String?

    @Option(name: .customLong("time-column"), help: "The time column (overrides the table config's).")
    var timeColumn: String?

    @Option(name: .customLong("no-dictionary"), help: "Comma-separated raw (no-dictionary) columns.")
    var noDictionary: String?

    @Option(name: .customLong("tar-compression"), help: "gzip (every Pinot) or zstd (Pinot 1.3 and later).")
    var tarCompression: String = "gzip"

    @Option(help: "The output folder.")
    var out: String

    @Option(name: .customLong("segment-name"), help: "The segment name (default: <table>[_<min>_<max>]_<hash of the inputs>).")
    var segmentName: String?

    func run() async throws {
        try await reportingAnyError {
            guard let format = SegmentCreation.Format(rawValue: format) else { throw ValidationError("--format must be parquet or json") }
            guard let compression = TarballCompression(rawValue: tarCompression) else { throw ValidationError("--tar-compression must be gzip or zstd") }
            guard !inputs.isEmpty else { throw ValidationError("give at least one --input") }
            var creation = SegmentCreation(inputs: inputs, outputDir: out)
            creation.format = format
            creation.schemaPath = schema
            creation.tableConfigPath = tableConfig
            creation.table = table
            creation.timeColumn = timeColumn
            creation.noDictionaryColumns = (noDictionary ?? "").split(separator: ",").map(String.init)
            creation.compression = compression
            creation.segmentName = segmentName
            let path = try await creation.run()
            Output().line(path)
        }
    }
}
