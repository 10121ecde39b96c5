import ArgumentParser

/// The LakeIngest worker: one ingestion task per process, plus inspection commands.
@main
struct IngestWorker: AsyncParsableCommand {
    /// The release, printed by `--version`; raised with each release.
    static let workerVersion = "0.5.0"

    static let configuration = CommandConfiguration(
        commandName: "ingest-worker",
        abstract: "LakeIngest data plane: lake (Iceberg, Parquet on S3) to Apache Pinot segments.",
        version: "ingest-worker \(workerVersion)",
        subcommands: [ValidateCommand.self, NamespacesCommand.self, TablesCommand.self, SchemaCommand.self, RunCommand.self, ServeCommand.self, StatusCommand.self,
                      PauseCommand.self, ResumeCommand.self, ParquetCommand.self, SegmentCommand.self]
    )

    static func main() async {
        MemoryTuning.apply()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// `ingest-worker parquet …`: inspect a single Parquet file.
struct ParquetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Inspect a Parquet file: its schema, its rows, or a decode-only scan.",
        subcommands: [ParquetSchemaCommand.self, ParquetCatCommand.self, ParquetScanCommand.self]
    )
}
