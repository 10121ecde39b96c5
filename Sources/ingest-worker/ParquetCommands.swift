import ArgumentParser
import Columnar
import Parquet

#if canImport(Glibc)
import Glibc
#endif

/// Options shared by the Parquet inspection commands.
struct ParquetFileOptions: ParsableArguments {
    @Argument(help: "A local Parquet file.")
    var file: String

    @Option(help: "Comma-separated top-level columns to read (default: all).")
    var columns: String?

    var columnList: [String]? {
        columns.map { $0.split(separator: ",").map { String($0).trimmingCharacters() } }
    }

    func open() async throws -> ParquetFileReader<LocalFileReader> {
        try await ParquetFileReader(source: try LocalFileReader(path: file), name: file)
    }
}

extension String {
    func trimmingCharacters() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

/// `ingest-worker parquet schema FILE`
struct ParquetSchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print the schema: physical, logical and Pinot type per column, field ids.")

    @Argument(help: "A local Parquet file.")
    var file: String

    func run() async throws {
        try await reportingAnyError {
            let reader = try await ParquetFileReader(source: try LocalFileReader(path: file), name: file)
            let out = Output()
            out.line("file: \(file)")
            out.line("rows: \(reader.rowCount)  row groups: \(reader.metadata.rowGroups.count)  created by: \(reader.metadata.createdBy ?? "-")")
            out.line("")
            out.line(pad("column", 32) + pad("pinot", 14) + pad("mv", 4) + pad("physical", 36) + pad("logical", 28) + "field id")
            for (index, node) in reader.schema.fields.enumerated() {
                let pinot: String
                let multiValue: String
                do {
                    let field = try reader.outputFields([index])[0]
                    pinot = field.type.pinotTypeName
                    multiValue = field.type.isMultiValue ? "yes" : ""
                } catch let error as ParquetError {
                    pinot = "error: \(error.code)"
                    multiValue = ""
                }
                describe(node, depth: 0, pinot: pinot, multiValue: multiValue, into: out)
            }
        }
    }

    private func describe(_ node: SchemaNode, depth: Int, pinot: String, multiValue: String, into out: Output) {
        let name = String(repeating: "  ", count: depth) + node.name
        let physical = node.element.type.map { type in
            type == .fixedLenByteArray ? "\(type)(\(node.element.typeLength ?? 0))" : "\(type)"
        } ?? "group"
        let repetition = "\(node.repetition)"
        out.line(pad(name, 32) + pad(pinot, 14) + pad(multiValue, 4) + pad("\(physical) \(repetition)", 36)
                 + pad(logicalDescription(node.element), 28) + (node.element.fieldId.map { String($0) } ?? "-"))
        for child in node.children { describe(child, depth: depth + 1, pinot: "", multiValue: "", into: out) }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private func logicalDescription(_ element: SchemaElement) -> String {
        if let logical = element.logicalType {
            switch logical {
            case .decimal(let scale, let precision): return "DECIMAL(\(precision),\(scale))"
            case .timestamp(let utc, let unit): return "TIMESTAMP(\(unit),\(utc ? "UTC" : "local"))"
            case .time(let utc, let unit): return "TIME(\(unit),\(utc ? "UTC" : "local"))"
            case .integer(let bits, let signed): return "INT(\(bits),\(signed ? "signed" : "unsigned"))"
            default: return "\(logical)".uppercased()
            }
        }
        if let converted = element.convertedType { return "\(converted)".uppercased() }
        return "-"
    }
}

/// `ingest-worker parquet cat FILE [--columns a,b] [--limit N]`
struct ParquetCatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat", abstract: "Print one JSON object per row, values as DESIGN.md's type mapping gives them (before Pinot's value rules).")

    @OptionGroup var options: ParquetFileOptions

    @Option(help: "Print at most this many rows.")
    var limit: Int?

    func run() async throws {
        try await reportingAnyError {
            let reader = try await options.open()
            let fields = try reader.fieldIndices(options.columnList)
            var names: [String] = []
            for field in try reader.outputFields(fields) {
                var key = ""
                writeJSONString(field.name, into: &key)
                names.append(key)
            }
            let out = Output()
            var printed = 0
            let limit = self.limit ?? Int.max
            for rowGroup in reader.metadata.rowGroups.indices where printed < limit {
                let batch = try await reader.readRowGroup(rowGroup, fields: fields)
                for row in 0..<batch.rowCount where printed < limit {
                    var line = "{"
                    for column in batch.columns.indices {
                        if column > 0 { line += "," }
                        line += names[column]
                        line += ":"
                        batch.columns[column].value(at: row).writeJSON(into: &line)
                    }
                    line += "}"
                    out.line(line)
                    printed += 1
                }
            }
        }
    }
}

/// `ingest-worker parquet scan FILE [--columns a,b]`
struct ParquetScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan", abstract: "Decode every value (no output per row): rows, nulls per column, elapsed time.")

    @OptionGroup var options: ParquetFileOptions

    func run() async throws {
        try await reportingAnyError {
            let clock = ContinuousClock()
            let start = clock.now
            let reader = try await options.open()
            let fields = try reader.fieldIndices(options.columnList)
            let output = try reader.outputFields(fields)
            var nulls = [Int](repeating: 0, count: fields.count)
            var rows = 0
            var uncompressed: Int64 = 0
            for rowGroup in reader.metadata.rowGroups.indices {
                let decoder = try reader.rowGroupDecoder(rowGroup, fields: fields)
                for leaf in decoder.leafIndices {
                    uncompressed &+= reader.metadata.rowGroups[rowGroup].columns[leaf].metaData?.totalUncompressedSize ?? 0
                }
                let batch = try await reader.readRowGroup(rowGroup, fields: fields)
                rows += batch.rowCount
                for (i, column) in batch.columns.enumerated() { nulls[i] += column.nullCount }
            }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let out = Output()
            out.line("file: \(options.file)")
            out.line("rows: \(rows)")
            out.line("row groups: \(reader.metadata.rowGroups.count)")
            out.line("nulls:")
            for (field, count) in zip(output, nulls) { out.line("  \(field.name): \(count)") }
            out.line("elapsed: \(formatted(seconds * 1000)) ms")
            if seconds > 0 {
                out.line("throughput: \(formatted(Double(rows) / seconds)) rows/s, \(formatted(Double(uncompressed) / seconds / 1e6)) MB/s uncompressed")
            }
        }
    }

    private func formatted(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        guard rounded.isFinite, abs(rounded) < 1e15 else { return String(rounded) }
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
