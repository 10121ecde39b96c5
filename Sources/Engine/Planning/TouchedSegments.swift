/// Which live segments a change touches (DESIGN.md, "Snapshots, checkpoints and exactly once"):
/// those holding a removed data file, and — because a segment is rebuilt from whole files — every
/// segment holding rows of a file that a touched segment holds, until nothing more is added.
/// Their remaining files are rebuilt into new segments, which replace them in one swap; nothing
/// else is read again, so the cost follows what changed, not the table.
struct TouchedSegments: Equatable {
    /// The touched segments, in ledger order.
    var segments: [String]
    /// The files they hold that stay live: read again, whole, to rebuild them.
    var remainingFiles: Set<String>

    /// - Parameters:
    ///   - removed: data file paths the change removes.
    ///   - changed: data files that stay but whose rows change (new deletes hit them).
    ///   - forced: segments that must be replaced whatever they hold (an abandoned step's
    ///     incomplete groups).
    init(ledger: [LedgerEntry], removed: Set<String>, changed: Set<String> = [], forced: Set<String> = []) {
        var touched = Set<String>()
        var files = changed
        var changed = true
        while changed {
            changed = false
            for entry in ledger where !touched.contains(entry.segment) {
                let paths = entry.files.map(\.path)
                guard forced.contains(entry.segment) || paths.contains(where: { removed.contains($0) || files.contains($0) }) else { continue }
                touched.insert(entry.segment)
                for path in paths where !removed.contains(path) { files.insert(path) }
                changed = true
            }
        }
        segments = ledger.map(\.segment).filter { touched.contains($0) }
        remainingFiles = files.filter { file in ledger.contains { entry in touched.contains(entry.segment) && entry.files.contains { $0.path == file } } }
    }
}

extension [LedgerEntry] {
    /// The ledger after a compaction: every segment that held one of `removed` holds the
    /// `added` files instead (which of their rows came from where is not known, so each such
    /// segment is linked to all of them: a later change to any of them rebuilds them all).
    func relinked(removed: Set<String>, added: [FileRowSpan]) -> [LedgerEntry] {
        map { entry in
            guard entry.files.contains(where: { removed.contains($0.path) }) else { return entry }
            var entry = entry
            let kept = entry.files.filter { !removed.contains($0.path) }
            entry.files = kept + added.filter { span in !kept.contains { $0.path == span.path } }
            // The added files hold the removed ones' rows with their deletes already applied.
            let deletes = entry.deletes?.filter { !removed.contains($0.dataFile) } ?? []
            entry.deletes = deletes.isEmpty ? nil : deletes
            return entry
        }
    }
}
