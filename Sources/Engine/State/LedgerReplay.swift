/// One change to the ledger, as stored: the segments a push added (`ledger/<step>/seg-<name>.json`,
/// one object per segment), or a step's swap or relink (`ledger/<step>/~swap.json`,
/// `~relink.json`). Each object is written once per step and never appended to, so a run
/// writes in proportion to what it pushed, and several shards write side by side.
struct LedgerChange: Codable, Sendable, Equatable {
    /// A swap: these segments leave the ledger, then `adding` joins it.
    var removing: [String]?
    var adding: [LedgerEntry]?
    /// A relink (a compaction): the removed files' rows are now in `relinkAdded`.
    var relinkRemoved: [String]?
    var relinkAdded: [FileRowSpan]?
}

/// The ledger rebuilt from its changes, replayed in step order (within a step, its segments
/// first, then its swap or relink): the last entry of each segment name, in the order the
/// names were first pushed.
struct LedgerReplay {
    private var order: [String] = []
    private var latest: [String: LedgerEntry] = [:]

    var entries: [LedgerEntry] { order.compactMap { latest[$0] } }

    mutating func add(_ entry: LedgerEntry) {
        if latest[entry.segment] == nil { order.append(entry.segment) }
        latest[entry.segment] = entry
    }

    mutating func apply(_ change: LedgerChange) {
        if change.removing != nil || change.adding != nil {
            let gone = Set(change.removing ?? []).union((change.adding ?? []).map(\.segment))
            order.removeAll { gone.contains($0) }
            for name in gone { latest[name] = nil }
            for entry in change.adding ?? [] { add(entry) }
        }
        if let removed = change.relinkRemoved {
            let relinked = entries.relinked(removed: Set(removed), added: change.relinkAdded ?? [])
            for entry in relinked { latest[entry.segment] = entry }
        }
    }

    /// The object names of the changes of step `ordinal`.
    static func segmentName(_ ordinal: Int, _ segment: String) -> String { "ledger/\(pad(ordinal))/seg-\(segment).json" }
    static func swapName(_ ordinal: Int) -> String { "ledger/\(pad(ordinal))/~swap.json" }
    static func relinkName(_ ordinal: Int) -> String { "ledger/\(pad(ordinal))/~relink.json" }
    /// The whole ledger as of the end of step `ordinal`: replay starts from the newest base and
    /// reads only the changes after it. Sorted after every change of its step.
    static func baseName(_ ordinal: Int) -> String { "ledger/\(pad(ordinal))/~~base.json" }

    /// Starts over from a base.
    mutating func reset(to entries: [LedgerEntry]) {
        order = []
        latest = [:]
        for entry in entries { add(entry) }
    }

    /// Ten digits, so that names sort in step order.
    static func pad(_ ordinal: Int) -> String {
        let text = String(ordinal)
        return String(repeating: "0", count: max(0, 10 - text.count)) + text
    }

    /// The step ordinal of a `ledger/`, `files/` or `steps/` object name.
    static func ordinal(of name: String) -> Int? {
        let parts = name.split(separator: "/")
        guard parts.count >= 2 else { return nil }
        return Int(parts[1].split(separator: ".").first ?? "")
    }
}
