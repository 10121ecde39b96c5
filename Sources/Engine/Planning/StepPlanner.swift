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
    /// The plan stops before the source's head: a swap step is planned only against the ledger
    /// as it stands, so the steps after it are planned once it is done.
    var truncated = false
    /// Iceberg: the manifest lists and manifests read to plan (the table metadata not counted).
    var manifestsRead = 0
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
    /// - Parameter ledger: the live segments, for the steps that replace some of them.
    func plan(checkpoint: TaskCheckpoint?, lakeSchema: LakeSchemaUnion? = nil, ledger: [LedgerEntry] = []) async throws -> RunPlan {
        var plan = switch configuration.source.type {
        case .icebergRest, .icebergTable: try await planIceberg(checkpoint, ledger: ledger)
        case .s3DataLake: try await planDataLake(checkpoint, stored: lakeSchema, ledger: ledger)
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

    private func planIceberg(_ checkpoint: TaskCheckpoint?, ledger: [LedgerEntry]) async throws -> RunPlan {
        let (metadata, _) = try await connection.loadTable(fullHistory: true)
        if let recorded = checkpoint?.tableUUID, let current = metadata.tableUUID, recorded != current {
            throw EngineError(.stateCorrupt,
                "the checkpoint in \(configuration.stateDir) belongs to table UUID \(recorded), but the table now has UUID \(current) (dropped and created again?); move the state folder away to ingest the new table from scratch")
        }
        let io = connection.io(for: metadata)
        let policy: IncrementalPlanner.NonAppendPolicy = switch configuration.source.nonAppendSnapshots {
        case .mirror: .mirror
        case .fail: .fail
        case .skip: .skip
        }
        let planner = IncrementalPlanner(metadata: metadata, io: io, nonAppend: policy)
        let schema = try derivation.derive(schema: metadata.currentSchema, spec: metadata.defaultSpec)
        var steps: [IngestionStep] = []
        var from = checkpoint?.snapshotId.map { Checkpoint(snapshotId: $0, sequenceNumber: checkpoint?.sequenceNumber ?? 0) }
        let progress = checkpoint?.inProgress
        if let progress, progress.kind == .live, let snapshotId = progress.snapshotId {
            let step = try await planner.liveStep(snapshotId: snapshotId, newerThan: progress.afterSequenceNumber)
            steps.append(try await makeStep(step, kind: .live, after: progress.afterSequenceNumber, progress: progress, planner: planner))
            from = Checkpoint(snapshotId: snapshotId, sequenceNumber: progress.sequenceNumber ?? step.snapshot.sequenceNumber)
        }
        if progress == nil || progress?.stepId.hasPrefix("rebuild-") == true, let checkpointed = checkpoint?.snapshotId,
           let rebuild = try await renameStep(metadata: metadata, snapshotId: checkpointed, ledger: ledger, planner: planner) {
            return RunPlan(steps: [rebuild], pinotSchema: schema, table: metadata, tableUUID: metadata.tableUUID, io: io,
                           checkpointExpired: false, truncated: true)
        }
        let plan = try await planner.plan(from: from)
        var ledger = ledger
        var truncated = false
        for (index, step) in plan.steps.enumerated() {
            let live = from == nil || plan.checkpointExpired
            switch step {
            case .change(let snapshot, let added, let removed, let addedDeletes):
                // Planned against the ledger as it stands: after any step that adds segments, in the next round.
                guard !steps.contains(where: { $0.action == .ingest }) else {
                    truncated = true
                    break
                }
                steps.append(try await changeStep(snapshot, added: added, removed: removed, addedDeletes: addedDeletes, ledger: ledger,
                                                  planner: planner, progress: progress, io: io, schema: metadata.currentSchema))
                truncated = index < plan.steps.count - 1
            case .relink(let snapshot, let added, let removed):
                var relink = try await makeStep(.noOp(snapshot: snapshot), kind: .added, after: nil, progress: progress, planner: planner)
                relink.action = .relink
                relink.removedFiles = removed.map(\.path).sorted()
                relink.relinkedFiles = added.map { FileRowSpan(path: $0.path, rowGroups: 0..<0, rowRange: 0..<Int($0.recordCount)) }
                ledger = ledger.relinked(removed: Set(relink.removedFiles), added: relink.relinkedFiles)
                steps.append(relink)
            default:
                steps.append(try await makeStep(step, kind: live ? .live : .added, after: plan.checkpointExpired ? from?.sequenceNumber : nil, progress: progress, planner: planner))
            }
            if truncated { break }
        }
        return RunPlan(steps: steps, pinotSchema: schema, table: metadata, tableUUID: metadata.tableUUID, io: io,
                       checkpointExpired: plan.checkpointExpired, truncated: truncated, manifestsRead: plan.objectsRead)
    }

    /// Segments built before a column was renamed hold it under its old name, which Pinot
    /// cannot rename: a step that rebuilds them (as of the checkpointed snapshot) and swaps them
    /// for segments with the new name; nil when no live segment holds a renamed column.
    private func renameStep(metadata: TableMetadata, snapshotId: Int64, ledger: [LedgerEntry],
                            planner: IncrementalPlanner) async throws -> IngestionStep? {
        let current = metadata.currentSchema
        let currentNames = Set(current.fields.map(\.name))
        var renamedIds: [String: Int] = [:]
        for schema in metadata.schemas {
            for field in schema.fields where !currentNames.contains(field.name) && current.field(id: field.id) != nil {
                renamedIds[field.name] = field.id
            }
        }
        guard !renamedIds.isEmpty else { return nil }
        let stale = ledger.filter { entry in (entry.columns ?? []).contains { renamedIds[$0] != nil } }.map(\.segment)
        guard !stale.isEmpty, let snapshot = metadata.snapshot(id: snapshotId) else { return nil }
        let touched = TouchedSegments(ledger: ledger, removed: [], forced: Set(stale))
        let files = try await liveFiles(touched.remainingFiles, of: snapshot, planner: planner) { path in
            "the ledger's segments hold data file \(path), which the checkpointed snapshot \(snapshotId) does not; move the state folder away to ingest the table from scratch"
        }
        var step = try await makeStep(.ingest(snapshot: snapshot, files: files), kind: .added, after: nil, progress: nil, planner: planner)
        step.id = "rebuild-" + StableHash.hex(touched.segments)
        step.snapshotId = nil
        step.sequenceNumber = nil
        step.operation = "rename"
        step.replaces = touched.segments
        step.pushedGroups = []
        return step
    }

    /// The live data files of `snapshot` at `paths`, in path order: what a rebuild reads again.
    /// - Throws: `.stateCorrupt` saying `missing(path)` for a path the snapshot does not hold.
    private func liveFiles(_ paths: Set<String>, of snapshot: Snapshot, planner: IncrementalPlanner,
                           missing: (String) -> String) async throws -> [DataFile] {
        guard !paths.isEmpty else { return [] }
        let live = try await planner.liveDataFiles(of: snapshot)
        return try paths.sorted().map { path in
            guard let file = live[path] else { throw EngineError(.stateCorrupt, missing(path)) }
            return file
        }
    }

    /// An overwrite or delete as a swap step: the files it added, and the remaining files of the
    /// segments it touches (rebuilt), replacing those segments.
    private func changeStep(_ snapshot: Snapshot, added: [DataFile], removed: [DataFile], addedDeletes: [DataFile], ledger: [LedgerEntry],
                            planner: IncrementalPlanner, progress: StepProgress?, io: FileIO, schema: IcebergSchema) async throws -> IngestionStep {
        var hits: [String] = []
        if !addedDeletes.isEmpty {
            let finder = DeleteHits(loader: DeleteLoader(io: io, schema: schema), io: io)
            hits = try await finder.files(hitBy: addedDeletes, in: try await planner.liveState(of: snapshot))
        }
        let touched = TouchedSegments(ledger: ledger, removed: Set(removed.map(\.path)), changed: Set(hits))
        let rebuild = try await liveFiles(touched.remainingFiles, of: snapshot, planner: planner) { path in
            "the ledger's segments hold data file \(path), which snapshot \(snapshot.snapshotId) neither holds nor removes (was a snapshot skipped?); move the state folder away to ingest the table from scratch"
        }
        let files = (added + rebuild).sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        var step = try await makeStep(.ingest(snapshot: snapshot, files: files), kind: .added, after: nil, progress: progress, planner: planner)
        step.removedFiles = removed.map(\.path).sorted()
        step.replaces = touched.segments
        step.pushedGroups = []
        return step
    }

    private func makeStep(_ step: SnapshotStep, kind: IngestionStep.Kind, after: Int64?, progress: StepProgress?,
                          planner: IncrementalPlanner) async throws -> IngestionStep {
        let snapshot = step.snapshot
        // The deletes that apply to each file, as of the step's snapshot (none to look up when
        // the snapshot's summary says the table has no delete files).
        var state: IncrementalPlanner.LiveState?
        if !step.files.isEmpty, snapshot.summary["total-delete-files"].map({ $0 != "0" }) ?? true {
            state = try await planner.liveState(of: snapshot)
        }
        let files = step.files.map { file in
            PlannedFile(path: file.path, size: Int(file.fileSizeInBytes), recordCount: file.recordCount, format: file.format,
                        partition: file.partition, specId: file.specId,
                        deletes: state.flatMap { state in state.data[file.path].map { state.index.deletes(for: $0) } } ?? FileDeletes())
        }.sorted(by: SegmentGrouping.pathOrder)
        let action: IngestionStep.Action
        switch step {
        case .ingest: action = .ingest
        case .noOp: action = .noOp
        case .skipped(let snapshot): action = .skipped(operation: snapshot.operation)
        case .change, .relink: action = .ingest
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

    /// An S3 data lake's step: the listing's new files, and with the mirror on the files that
    /// were deleted or rewritten in place since they were ingested (their segments replaced by
    /// rebuilt ones). A step in progress resumes with the files it recorded while they are all
    /// still there, unchanged; otherwise it is planned again from the fresh listing: its pushed
    /// groups count as ingested, its other segments are replaced.
    private func planDataLake(_ checkpoint: TaskCheckpoint?, stored: LakeSchemaUnion?, ledger: [LedgerEntry]) async throws -> RunPlan {
        let location = configuration.source.location ?? ""
        let io = connection.io
        let mirror = configuration.source.nonAppendSnapshots == .mirror
        let listing = try await DataLakeListing.list(at: location, io: io)
        let listed = listing.parquet
        var byURI: [String: (uri: String, info: ObjectInfo)] = [:]
        for entry in listed { byURI[entry.uri] = entry }
        var steps: [IngestionStep] = []
        var covered: [String: String] = checkpoint?.ingestedFiles ?? [:]
        var forced = Set<String>()
        var notes: [String] = listing.skippedNote.map { [$0] } ?? []
        if let progress = checkpoint?.inProgress, progress.kind == .dataLake, let recorded = progress.files {
            let files = recorded.map { PlannedFile(path: $0.uri, size: $0.size, recordCount: $0.records, etag: $0.etag) }
            var step = dataLakeStep(files, id: progress.stepId)
            step.removedFiles = progress.removedFiles ?? []
            step.replaces = progress.replaces ?? []
            let intact = recorded.allSatisfy { file in byURI[file.uri].map { ($0.info.etag ?? "") == (file.etag ?? "") } ?? false }
            if intact || !mirror {
                if progress.groupCount == step.groups.count && !step.isSwap { step.pushedGroups = Set(progress.pushedGroups) }
                steps.append(step)
                for file in recorded { covered[file.uri] = file.etag ?? "" }
            } else {
                let pushed = step.isSwap ? [] : Set(progress.pushedGroups)
                for group in step.groups where pushed.contains(group.index) {
                    for index in group.files { covered[recorded[index].uri] = recorded[index].etag ?? "" }
                }
                for path in step.removedFiles where !step.isSwap { covered[path] = nil }
                forced = Set(ledger.filter { $0.step == progress.stepId && !pushed.contains($0.group) }.map(\.segment))
                notes.append("files of step \(progress.stepId) changed before it completed: it was planned again from a fresh listing")
            }
        }
        guard !listed.isEmpty || !covered.isEmpty || !steps.isEmpty else {
            throw EngineError(.notFound, "no Parquet files under \(location)")
        }
        let new = DataLakeListing.newFiles(listed, ingested: covered)
        var removed: [String] = []
        if mirror {
            removed = covered.compactMap { path, etag in byURI[path].map { ($0.info.etag ?? "") != etag ? path : nil } ?? path }.sorted()
        }
        let touched = TouchedSegments(ledger: ledger, removed: Set(removed), forced: forced)
        let newURIs = Set(new.map(\.uri))
        let rebuild = touched.remainingFiles.sorted().compactMap { path in newURIs.contains(path) ? nil : byURI[path] }
        // The schema grows by the new files' columns; without a stored schema every listed
        // file's footer is read once.
        let reading = Set(newURIs).union(rebuild.map(\.uri))
        let toRead = stored == nil ? listed : listed.filter { reading.contains($0.uri) }
        let footers = try await DataLakeSchema.footers(toRead, io: io, continueOnFileError: configuration.continueOnFileError)
        var union = stored ?? LakeSchemaUnion()
        notes += try DataLakeSchema.add(footers, to: &union, excluded: Set(configuration.schema.excludeColumns))
        notes += footers.compactMap { newURIs.contains($0.uri) ? $0.failure : nil }
        let files = footers.filter { reading.contains($0.uri) }
            .map { PlannedFile(path: $0.uri, size: $0.info.size, recordCount: $0.rows, etag: $0.info.etag) }
            .sorted(by: SegmentGrouping.pathOrder)
        if !files.isEmpty || !removed.isEmpty || !touched.segments.isEmpty {
            let changes = removed.isEmpty && touched.segments.isEmpty ? [] : ["removed"] + removed + ["replaces"] + touched.segments
            let id = "lake-" + StableHash.hex(files.flatMap { [$0.path, $0.etag ?? ""] } + changes)
            var step = dataLakeStep(files, id: id)
            step.removedFiles = removed
            step.replaces = touched.segments
            steps.append(step)
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
