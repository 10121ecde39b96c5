import Columnar
import Foundation
import Parquet
import Pinot

/// `segment create`: one segment from local Parquet or JSON-lines files — the job of Pinot's
/// CreateSegment, without a JVM — on the path `run` takes: the same schema derivation and table
/// config defaults, typed appends into the builder, ``SegmentSealer`` (columns built
/// concurrently, the tarball streamed to disk) and ``LocalSegmentPusher``'s atomic rename.
public struct SegmentCreation: Sendable {
    public enum Format: String, Sendable, CaseIterable { case parquet, json }

    public var inputs: [String]
    public var format: Format = .parquet
    /// Pinot schema JSON; derived from the first Parquet file when nil.
    public var schemaPath: String?
    /// Pinot OFFLINE table config JSON.
    public var tableConfigPath: String?
    public var table: String?
    public var timeColumn: String?
    public var noDictionaryColumns: [String] = []
    public var compression: TarballCompression = .gzip
    public var outputDir: String
    /// By default `<table>[_<minTime>_<maxTime>]_<hash of the inputs' names and sizes>`.
    public var segmentName: String?
    public var concurrency = ProcessInfo.processInfo.activeProcessorCount

    public init(inputs: [String], outputDir: String) {
        self.inputs = inputs
        self.outputDir = outputDir
    }

    /// Builds the segment; returns the tarball's path.
    /// - Throws: `SegmentError` and `ParquetError` naming the input, column and line.
    public func run() async throws -> String {
        guard let first = inputs.first else { throw EngineError(.invalidConfiguration, "give at least one input file") }
        let schema = try await pinotSchema(first: first)
        let config = try tableConfig(schema)
        let builder: SegmentBuilder
        do throws(SegmentError) {
            builder = try SegmentBuilder(schema: schema, table: config)
        } catch {
            // The schema and table config are checked together: name the files they came from.
            let files = [schemaPath, tableConfigPath].compactMap { $0 }
            throw EngineError(.invalidConfiguration, error.message, file: files.isEmpty ? first : files.joined(separator: ", "),
                              column: error.column, underlying: error)
        }
        if format == .parquet {
            var rows = 0
            for input in inputs {
                rows += (try? await ParquetFileReader(source: try LocalFileReader(path: input), name: input).rowCount) ?? 0
            }
            builder.expect(rows: rows)
        }
        for input in inputs {
            switch format {
            case .json: try appendJSONLines(input, schema: schema, to: builder)
            case .parquet:
                let reader = try await ParquetFileReader(source: try LocalFileReader(path: input), name: input)
                try await ColumnwiseAppend.add(fileOf: reader, to: builder, concurrency: concurrency)
            }
        }
        guard builder.rowCount > 0 else {
            throw EngineError(.invalidConfiguration, "the input holds no rows: there is nothing to build a segment from",
                              file: inputs.joined(separator: ", "))
        }
        let name = try segmentName ?? defaultName(builder: builder, table: config.tableName)
        try SegmentName.validate(name)
        try AtomicFile.makeFolder(outputDir)
        let staging = outputDir + "/." + name + compression.fileExtension + ".building"
        let result = try await SegmentSealer.seal(builder, name: name, to: staging, compression: compression, concurrency: concurrency)
        let sealed = SealedSegment(name: name, tarball: result.path, tarballBytes: result.bytes, compression: compression, rows: result.summary.docs,
                                   summary: result.summary)
        do {
            try await LocalSegmentPusher(outputDir: outputDir).push(sealed)
        } catch {
            unlink(staging)
            throw error
        }
        return outputDir + "/" + sealed.fileName
    }

    private func pinotSchema(first: String) async throws -> PinotSchema {
        if let schemaPath {
            guard let bytes = FileManager.default.contents(atPath: schemaPath) else { throw SegmentError(.io, "cannot read the schema \(schemaPath)") }
            do throws(SegmentError) {
                return try PinotSchema.parse([UInt8](bytes))
            } catch {
                throw EngineError(.invalidConfiguration, error.message, file: schemaPath, column: error.column, underlying: error)
            }
        }
        guard format == .parquet else { throw EngineError(.invalidConfiguration, "JSON-lines input needs a schema (--schema)") }
        let reader = try await ParquetFileReader(source: try LocalFileReader(path: first), name: first)
        let name = table ?? URL(fileURLWithPath: first).deletingPathExtension().lastPathComponent
        do {
            return try SchemaDerivation(schemaName: name, timeColumn: timeColumn, includePartitionColumns: false)
                .derive(parquet: try reader.outputFields(try reader.fieldIndices(nil)))
        } catch let error as SegmentError {
            throw EngineError(.schemaMismatch, error.message, file: first, column: error.column, underlying: error)
        }
    }

    /// The table config given, else Pinot's defaults with the raw-column heuristic.
    private func tableConfig(_ schema: PinotSchema) throws -> TableConfig {
        var config: TableConfig
        if let tableConfigPath {
            guard let bytes = FileManager.default.contents(atPath: tableConfigPath) else { throw SegmentError(.io, "cannot read the table config \(tableConfigPath)") }
            do throws(SegmentError) {
                config = try TableConfig.parse([UInt8](bytes))
            } catch {
                throw EngineError(.invalidConfiguration, error.message, file: tableConfigPath, column: error.column, underlying: error)
            }
        } else {
            config = TableConfig(tableName: schema.schemaName)
            config.dictionaryHeuristic = true
        }
        if let table { config.tableName = table }
        guard TaskConfiguration.isValidTableName(config.tableName) else {
            throw EngineError(.invalidConfiguration, "\"\(config.tableName)\" is not a valid Pinot table name")
        }
        if let timeColumn { config.timeColumn = timeColumn }
        if config.timeColumn == nil, let dateTime = schema.fields.first(where: { $0.role == .dateTime }) { config.timeColumn = dateTime.name }
        for column in noDictionaryColumns { config.noDictionaryColumns.insert(column) }
        return config
    }

    private func appendJSONLines(_ input: String, schema: PinotSchema, to builder: SegmentBuilder) throws {
        guard let data = FileManager.default.contents(atPath: input) else { throw SegmentError(.io, "cannot read \(input)") }
        var number = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                try builder.add(row: try JSONRows.parse(line: String(line), lineNumber: number, schema: schema))
            } catch {
                throw EngineError(.schemaMismatch, error.message, file: "\(input) line \(number)", column: error.column, underlying: error)
            }
        }
    }

    /// `<table>[_<min>_<max>]_<8 hex digits of the inputs' names and sizes>`: unlike Pinot's
    /// constant `_0`, two segments of the same time range from different inputs do not collide.
    private func defaultName(builder: SegmentBuilder, table: String) throws -> String {
        var parts: [String] = []
        for input in inputs {
            let size = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
            parts += [URL(fileURLWithPath: input).lastPathComponent, String(size)]
        }
        var name = [table]
        if let range = try builder.timeRange() { name += [String(range.0), String(range.1)] }
        return (name + [String(StableHash.hex(parts).prefix(8))]).joined(separator: "_")
    }
}
