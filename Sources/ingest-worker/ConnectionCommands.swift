import ArgumentParser
import Engine

/// The `--config FILE` option shared by the task commands.
struct ConfigOption: ParsableArguments {
    @Option(help: "The task configuration file (JSON).")
    var config: String

    /// The connection the configuration describes; warnings (a retried request) go to
    /// standard error from here on.
    func connection() throws -> Connection {
        _ = Logs.bootstrap(level: nil)
        return try Connection(try TaskConfiguration.load(path: config))
    }
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
            let steps = await ConnectionValidator(try options.connection()).run()
            let out = Output()
            for step in steps { out.line("\(step.ok ? "ok  " : "FAIL") \(step.name): \(step.detail)") }
            out.flush()
            if steps.contains(where: { !$0.ok }) { throw ExitCode(1) }
        }
    }
}

/// `ingest-worker namespaces --config FILE`
struct NamespacesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "namespaces", abstract: "List the catalog's namespaces.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await reportingAnyError {
            let out = Output()
            for namespace in try await Inspection(try options.connection()).namespaces() { out.line(namespace) }
        }
    }
}

/// `ingest-worker tables --config FILE`
struct TablesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tables", abstract: "List the tables of the configured namespace.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await reportingAnyError {
            let out = Output()
            for table in try await Inspection(try options.connection()).tables() { out.line(table) }
        }
    }
}

/// `ingest-worker schema --config FILE`
struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print the Pinot schema JSON derived for the configured table.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await reportingAnyError {
            let out = Output()
            out.write(try await Inspection(try options.connection()).pinotSchema().jsonText())
        }
    }
}
