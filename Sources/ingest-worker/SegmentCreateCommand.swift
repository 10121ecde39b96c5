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
        commandName: "create", abstract: "Build one Pinot segment from local Parquet or JSON-lines files and write DIR/<segmentName>.tar.gz.")

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

    func run() async throws {
        try await reportingAnyError {
            guard format == "parquet" || format == "json" else { throw ValidationError("--format must be parquet or json") }
            guard tarCompression == "gzip" || tarCompression == "zstd" else { throw ValidationError("--tar-compression must be gzip or zstd") }
            guard let first = inputs.first else { throw ValidationError("give at least one --input") }
            var pinotSchema: PinotSchema
            if let schema {
                guard let bytes = FileManager.default.contents(atPath: schema) else { throw SegmentError(.io, "cannot read \(schema)") }
                pinotSchema = try PinotSchema.parse([UInt8](bytes))
            } else {
                guard format == "parquet" else { throw ValidationError("JSON input needs --schema") }
                let reader = try await ParquetFileReader(source: try LocalFileReader(path: first), name: first)
                let name = table ?? URL(fileURLWithPath: first).deletingPathExtension().lastPathComponent
                pinotSchema = try SchemaDerivation(schemaName: name, timeColumn: timeColumn, includePartitionColumns: false)
                    .derive(parquet: try reader.outputFields(try reader.fieldIndices(nil)))
            }
            var config: TableConfig
            if let tableConfig {
                guard let bytes = FileManager.default.contents(atPath: tableConfig) else { throw SegmentError(.io, "cannot read \(tableConfig)") }
                config = try TableConfig.parse([UInt8](bytes))
            } else {
                config = TableConfig(tableName: pinotSchema.schemaName)
                config.dictionaryHeuristic = true
            }
            if let table { config.tableName = table }
            if let timeColumn { config.timeColumn = timeColumn }
            if config.timeColumn == nil, let dateTime = pinotSchema.fields.first(where: { $0.role == .dateTime }) {
                config.timeColumn = dateTime.name
            }
            for column in (noDictionary ?? "").split(separator: ",") { config.noDictionaryColumns.insert(String(column)) }
            let builder = try SegmentBuilder(schema: pinotSchema, table: config)
            for input in inputs {
                if format == "json" {
                    guard let data = FileManager.default.contents(atPath: input) else { throw SegmentError(.io, "cannot read \(input)") }
                    var number = 0
                    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.allSatisfy(\.isWhitespace) {
                        number += 1
                        try builder.add(row: try JSONRows.parse(line: String(line), lineNumber: number, schema: pinotSchema))
                    }
                } else {
                    let reader = try await ParquetFileReader(source: try LocalFileReader(path: input), name: input)
                    let fields = try reader.fieldIndices(nil)
                    for group in reader.metadata.rowGroups.indices {
                        try builder.add(batch: try await reader.readRowGroup(group, fields: fields))
                    }
                }
            }
            let segment = try builder.build()
            let tarball = try segment.tarball(zstd: tarCompression == "zstd")
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let target = out + "/" + segment.name + ".tar.gz"
            let temporary = out + "/." + segment.name + ".tar.gz.tmp"
            try Data(tarball).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, target) == 0 else { throw SegmentError(.io, "cannot rename into \(target)") }
            let output = Output()
            output.line(target)
        }
    }
}
