import ArgumentParser
import Engine
import Foundation

/// The `--config FILE` option shared by the task commands.
struct ConfigOption: ParsableArguments {
    @Option(help: "The task configuration file (JSON).")
    var config: String

    /// The connection the configuration describes, with the namespace and table chosen on the
    /// command line; warnings (a retried request) go to standard error from here on.
    /// - Parameter scope: `.connection` for the browsing commands, which need only the source.
    func connection(scope: TaskConfiguration.Scope = .task, namespace: String? = nil, table: String? = nil) throws -> Connection {
        _ = Logs.bootstrap(level: nil)
        return try Connection(try TaskConfiguration.load(path: config, scope: scope).choosing(namespace: namespace, table: table))
    }
}

/// `--namespace NS` and `--table T`: what to browse, over the configuration's own.
struct ChoiceOptions: ParsableArguments {
    @Option(help: "The namespace (an S3 data lake: a prefix under the location); overrides source.namespace.")
    var namespace: String?
}

/// JSON text of a Foundation object, keys sorted.
func jsonText(_ object: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
        return "{}\n"
    }
    return String(decoding: data, as: UTF8.self) + "\n"
}

/// Turns any error into one line on standard error and exit code 1 (secrets never appear:
/// errors carry none).
func reportingAnyError(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}

/// `ingest-worker validate --config FILE`
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Prove each step of reaching the table: catalog, listing, table, manifest list, a data file footer.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await reportingAnyError {
            let steps = await ConnectionValidator(try options.connection(scope: .connection)).run()
            let out = Output()
            for step in steps { out.line("\(step.ok ? "ok  " : "FAIL") \(step.name): \(step.detail)") }
            out.flush()
            if steps.contains(where: { !$0.ok }) { throw ExitCode(1) }
        }
    }
}

/// `ingest-worker namespaces --config FILE [--json]`
struct NamespacesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "namespaces",
        abstract: "List the catalog's namespaces, or the prefixes one level under an S3 data lake's location with their object counts and sizes.")

    @OptionGroup var options: ConfigOption
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reportingAnyError {
            let connection = try options.connection(scope: .connection)
            let out = Output()
            guard connection.configuration.source.type == .s3DataLake else {
                let namespaces = try await Inspection(connection).namespaces()
                if json { out.write(jsonText(["namespaces": namespaces])) } else { for namespace in namespaces { out.line(namespace) } }
                return
            }
            let prefixes = try await LakeBrowsing(connection).prefixes()
            if json {
                out.write(jsonText(["prefixes": prefixes.map {
                    ["name": $0.name, "objects": $0.objects, "bytes": $0.bytes, "parquetFiles": $0.parquetFiles] as [String: Any]
                }]))
            } else {
                for prefix in prefixes {
                    out.line("\(prefix.name)\t\(prefix.objects) objects\t\(prefix.bytes) bytes\t\(prefix.parquetFiles) Parquet files")
                }
            }
        }
    }
}

/// `ingest-worker tables --config FILE [--namespace NS] [--json]`
struct TablesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tables",
        abstract: "List a namespace's tables, or an S3 data lake prefix's Parquet files: their count, size and common schema.")

    @OptionGroup var options: ConfigOption
    @OptionGroup var choice: ChoiceOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reportingAnyError {
            let connection = try options.connection(scope: .connection, namespace: choice.namespace)
            let out = Output()
            guard connection.configuration.source.type == .s3DataLake else {
                let tables = try await Inspection(connection).tables()
                if json {
                    out.write(jsonText(["namespace": connection.configuration.source.namespace ?? "", "tables": tables]))
                } else {
                    for table in tables { out.line(table) }
                }
                return
            }
            let files = try await LakeBrowsing(connection).files()
            if json {
                out.write(jsonText([
                    "location": files.location, "files": files.files, "bytes": files.bytes, "skipped": files.skipped, "notes": files.notes,
                    "columns": files.columns.map { ["name": $0.name, "type": $0.type.description, "partition": files.partitionColumns.contains($0.name)] as [String: Any] },
                ]))
                return
            }
            out.line("\(files.files) Parquet files, \(files.bytes) bytes under \(files.location)\(files.skipped > 0 ? " (\(files.skipped) other objects not read)" : "")")
            for column in files.columns {
                out.line("  \(column.name)\t\(column.type)\(files.partitionColumns.contains(column.name) ? "\t(partition folder)" : "")")
            }
            for note in files.notes { out.line("  note: \(note)") }
        }
    }
}

/// `ingest-worker schema --config FILE [--namespace NS] [--table T]`
struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print the Pinot schema JSON derived for the configured (or chosen) table.")

    @OptionGroup var options: ConfigOption
    @OptionGroup var choice: ChoiceOptions
    @Option(help: "The table; overrides source.tableName.") var table: String?

    func run() async throws {
        try await reportingAnyError {
            let connection = try options.connection(scope: .connection, namespace: choice.namespace, table: table)
            let out = Output()
            out.write(try await Inspection(connection).pinotSchema().jsonText())
        }
    }
}
