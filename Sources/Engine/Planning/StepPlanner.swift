import BoundedWork
import Columnar
import Foundation
import Iceberg
import ObjectStore
import Parquet
import Pinot

/// What a run will do: its steps, oldest first, and what they are built against.
struct RunPlan: Sendable {
    var steps: [IngestionStep]
    /// The Pinot schema every segment of the run is built in (the table's current schema).
    var pinotSchema: PinotSchema
    /// The Iceberg table the steps come from (nil for an S3 data lake).
    var table: TableMetadata?
    var tableUUID: String?
    /// The FileIO that reads the table's files (with any location mapping applied).
    var io: FileIO
    /// Set when the checkpointed snapshot had expired and data file sets were compared instead.
    var checkpointExpired: Bool
    /// S3 data lake: the schema's column types, which every file is checked against.
    var referenceTypes: [String: DataType] = [:]
    /// S3 data lake: the union of the files' columns, with this run's new files added; saved
    /// (`lake-schema.json`) once the plan is made.
    var lakeSchema: LakeSchemaUnion?
    /// Files the listing could not read a footer of (with `continueOnFileError`); they fail again
    /// when fetched and are reported as skipped.
    var notes: [String] = []
}

/// Turns the source and the checkpoint into ``IngestionStep``s: the Iceberg planner's snapshot
/// steps, or the S3 data lake listing's new files. A step the checkpoint records as in progress
/// is planned again with the same files (for a first run, the same snapshot's live files; for a
/// listing, the files it recorded), so an interrupted run resumes with the same segments.
struct StepPlanner {
    let connection: Connection
    var configuration: TaskConfiguration { connection.configuration }

    /// - Parameter lakeSchema: an S3 data lake's schema as the last run left it (nil before the
    ///   first run: every listed file's footer is read).
    func plan(checkpoint: TaskCheckpoint?, lakeSchema: LakeSchemaUnion? = nil) async throws -> RunPlan {
        var plan = switch configuration.source.type {
        case .icebergRest, .icebergTable: try await planIceberg(checkpoint)
        case .s3DataLake: try await planDataLake(checkpoint, stored: lakeSchema)
        }
        plan.notes += Self.caseCollisions(plan.pinotSchema)
        return plan
    }

    /// Columns whose names differ only in case (`Name`, `name`): Pinot keeps both, but its
    /// case-insensitive queries cannot tell them apart.
    static func caseCollisions(_ schema: PinotSchema) -> [String] {
        Dictionary(grouping: schema.fields.map(\.name), by: { $0.lowercased() }).values
            .filter { $0.count > 1 }
            .map { names in
                "columns \(names.sorted().joined(separator: " and ")) differ only in case: Pinot queries with case-insensitive "
                    + "column names cannot tell them apart (leave one out with \"schema.excludeColumns\")"
            }
            .sorted()
    }

    private var derivation: SchemaDerivation {
        SchemaDerivation(schemaName: configuration.schemaName, options: configuration.schema)
    }

    private func planIceberg(_ checkpoint: TaskCheckpoint?) async throws -> RunPlan {
        let (metadata, _) = try await connection.loadTable(fullHistory: true)
        if let recorded = checkpoint?.tableUUID, let current = metadata.tableUUID, recorded != current {
            throw EngineError(.stateCorrupt,
                "the checkpoint in \(configuration.stateDir) belongs to table UUID \(recorded), but the table now has UUID \(current) (dropped and created again?); move the state folder away to ingest the new table from scratch")
        }
        let io = connection.io(for: metadata)
        let planner = IncrementalPlanner(metadata: metadata, io: io,
                                         nonAppend: configuration.source.nonAppendSnapshots == .skip ? .skip : .fail)
        let schema = try derivation.derive(schema: metadata.currentSchema, spec: metadata.defaultSpec)
        var steps: [IngestionStep] = []
        var from = checkpoint?.snapshotId.map { Checkpoint(snapshotId: $0, sequenceNumber: checkpoint?.sequenceNumber ?? 0) }
        let progress = checkpoint?.inProgress
        if let progress, progress.kind == .live, let snapshotId = progress.snapshotId {
            let step = try await planner.liveStep(snapshotId: snapshotId, newerThan: progress.afterSequenceNumber)
            steps.append(makeStep(step, kind: .live, after: progress.afterSequenceNumber, progress: progress))
            from = Checkpoint(snapshotId: snapshotId, sequenceNumber: progress.sequenceNumber ?? step.snapshot.sequenceNumber)
        }
        let plan = try await planner.plan(from: from)
        for step in plan.steps {
            let live = from == nil || plan.checkpointExpired
            steps.append(makeStep(step, kind: live ? .live : .added, after: plan.checkpointExpired ? from?.sequenceNumber : nil, progress: progress))
        }
        return RunPlan(steps: steps, pinotSchema: schema, table: metadata, tableUUID: metadata.tableUUID, io: io,
                       checkpointExpired: plan.checkpointExpired)
    }

    private func makeStep(_ step: SnapshotStep, kind: IngestionStep.Kind, after: Int64?, progress: StepProgress?) -> IngestionStep {
        let snapshot = step.snapshot
        let files = step.files.map { file in
            PlannedFile(path: file.path, size: Int(file.fileSizeInBytes), recordCount: file.recordCount, format: file.format,
                        partition: file.partition, specId: file.specId)
        }.sorted(by: SegmentGrouping.pathOrder)
        let action: IngestionStep.Action
        switch step {
        case .ingest: action = .ingest
        case .noOp: action = .noOp
        case .skipped(let snapshot): action = .skipped(operation: snapshot.operation)
        }
        var planned = IngestionStep(
            id: "snapshot-\(snapshot.snapshotId)", kind: kind, action: action, snapshotId: snapshot.snapshotId,
            sequenceNumber: snapshot.sequenceNumber, afterSequenceNumber: after, operation: snapshot.operation, files: files,
            groups: SegmentGrouping.groups(files, maxRows: configuration.segments.maxRowsPerSegment))
        if let progress, progress.stepId == planned.id, progress.groupCount == planned.groups.count {
            planned.pushedGroups = Set(progress.pushedGroups)
        }
        return planned
    }

    private func planDataLake(_ checkpoint: TaskCheckpoint?, stored: LakeSchemaUnion?) async throws -> RunPlan {
        let location = configuration.source.location ?? ""
        let io = connection.io
        let listing = try await DataLakeListing.list(at: location, io: io)
        let listed = listing.parquet
        var steps: [IngestionStep] = []
        var covered: [String: String] = checkpoint?.ingestedFiles ?? [:]
        var notes: [String] = listing.skippedNote.map { [$0] } ?? []
        if let progress = checkpoint?.inProgress, progress.kind == .dataLake, let recorded = progress.files {
            let files = recorded.map { PlannedFile(path: $0.uri, size: $0.size, recordCount: $0.records, etag: $0.etag) }
            var step = dataLakeStep(files, id: progress.stepId)
            if progress.groupCount == step.groups.count { step.pushedGroups = Set(progress.pushedGroups) }
            steps.append(step)
            for file in recorded { covered[file.uri] = file.etag ?? "" }
        }
        let new = DataLakeListing.newFiles(listed, ingested: covered)
        guard !listed.isEmpty || !new.isEmpty else {
            throw EngineError(.notFound, "no Parquet files under \(location)")
        }
        // The schema grows by the new files' columns; without a stored schema every listed
        // file's footer is read once.
        let newURIs = Set(new.map(\.uri))
        let toRead = stored == nil ? new + listed.filter { !newURIs.contains($0.uri) } : new
        let footers = try await DataLakeSchema.footers(toRead, io: io, continueOnFileError: configuration.continueOnFileError)
        var union = stored ?? LakeSchemaUnion()
        notes += try DataLakeSchema.add(footers, to: &union, excluded: Set(configuration.schema.excludeColumns))
        notes += footers.compactMap { newURIs.contains($0.uri) ? $0.failure : nil }
        if !new.isEmpty {
            var files = footers.filter { newURIs.contains($0.uri) }
                .map { PlannedFile(path: $0.uri, size: $0.info.size, recordCount: $0.rows, etag: $0.info.etag) }
            files.sort(by: SegmentGrouping.pathOrder)
            steps.append(dataLakeStep(files, id: "lake-" + StableHash.hex(files.flatMap { [$0.path, $0.etag ?? ""] })))
        }
        let (fields, partitions) = try DataLakeSchema.fields(union, files: (listed.isEmpty ? new : listed).map(\.uri), under: location)
        let schema = try derivation.derive(parquet: fields, partitions: partitions)
        var reference: [String: DataType] = [:]
        for field in fields { reference[field.name] = field.type }
        return RunPlan(steps: steps, pinotSchema: schema, table: nil, tableUUID: nil, io: io, checkpointExpired: false,
                       referenceTypes: reference, lakeSchema: union, notes: notes)
    }

    private func dataLakeStep(_ files: [PlannedFile], id: String) -> IngestionStep {
        IngestionStep(id: id, kind: .dataLake, action: .ingest, snapshotId: nil, sequenceNumber: nil, afterSequenceNumber: nil, operation: nil,
                      files: files, groups: SegmentGrouping.groups(files, maxRows: configuration.segments.maxRowsPerSegment))
    }

}
