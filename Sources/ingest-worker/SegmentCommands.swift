import ArgumentParser
import Columnar
import Foundation
import Pinot

/// `ingest-worker segment …`: inspect Pinot segments.
struct SegmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment", abstract: "Inspect Pinot segments.", subcommands: [SegmentCreateCommand.self, SegmentDumpCommand.self])
}

/// `ingest-worker segment dump DIR|TAR [--rows]`
struct SegmentDumpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump", abstract: "Print a segment's summary, then (with --rows) one JSON object per row, nulls as null.")

    @Argument(help: "A segment directory or tarball (.tar.gz, or zstd-compressed).")
    var segment: String

    @Flag(help: "Print every row as a JSON object (columns in alphabetical order).")
    var rows = false

    @Flag(name: .customLong("ignore-crc"), help: "Read a segment whose files do not match creation.meta's CRC (for forensics) instead of refusing it.")
    var ignoreCRC = false

    @Option(help: "The most documents --rows reads into memory.")
    var maxDocs = 50_000_000

    func run() async throws {
        try await reportingAnyError {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: segment, isDirectory: &isDirectory) else {
                throw SegmentError(.io, "no such file or directory", segment: segment)
            }
            let reader: SegmentReader
            if isDirectory.boolValue {
                reader = try SegmentReader(directory: segment)
            } else {
                guard let data = FileManager.default.contents(atPath: segment) else { throw SegmentError(.io, "cannot read", segment: segment) }
                reader = try SegmentReader(tarball: [UInt8](data), name: segment)
            }
            let metadata = reader.metadata
            let out = Output()
            out.line("segment: \(metadata.name)  table: \(metadata.tableName ?? "-")  docs: \(metadata.totalDocs)  version: \(metadata.indexVersion)")
            if let time = metadata.timeColumn {
                out.line("time column: \(time)  start: \(metadata.startTime.map(String.init) ?? "-")  end: \(metadata.endTime.map(String.init) ?? "-")  unit: \(metadata.timeUnit ?? "-")")
            }
            switch reader.crcMatches {
            case true?: out.line("creation.meta: CRC \(reader.recordedCRC!) matches the files")
            case false?: out.line("creation.meta: CRC \(reader.recordedCRC!) does NOT match the files")
            case nil: out.line("creation.meta: absent")
            }
            for column in metadata.columns {
                out.line("  \(column.name): \(column.columnType) \(column.dataType.rawValue)\(column.singleValue ? "" : " multi-value") "
                         + "\(column.hasDictionary ? "dictionary(\(column.cardinality))" : "raw")\(column.isSorted ? " sorted" : "")")
            }
            if reader.crcMatches == false && !ignoreCRC {
                throw SegmentError(.checksumMismatch, "the files do not match creation.meta's CRC \(reader.recordedCRC!): the segment is damaged (--ignore-crc reads it anyway)", segment: segment)
            }
            guard rows else { return }
            let columns = try reader.columns(maxDocs: maxDocs)
            let names = columns.keys.sorted()
            for doc in 0..<metadata.totalDocs {
                var line = "{"
                for (i, name) in names.enumerated() {
                    if i > 0 { line += "," }
                    writeJSONString(name, into: &line)
                    line += ":"
                    columns[name]![doc].writeJSON(into: &line)
                }
                out.line(line + "}")
            }
        }
    }
}
