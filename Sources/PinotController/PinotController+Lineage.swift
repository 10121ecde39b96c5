import Foundation

/// Segment lineage (spec §14): replacing a set of segments by another in one atomic swap, as a
/// broker routes queries — the old segments until the entry is COMPLETED, the new ones after,
/// never a mix.
extension PinotController {
    /// One lineage entry as the controller reports it.
    public struct LineageEntry: Sendable, Equatable {
        public enum State: String, Sendable { case inProgress = "IN_PROGRESS", completed = "COMPLETED", reverted = "REVERTED" }
        public var id: String
        public var state: State
        public var segmentsFrom: [String]
        public var segmentsTo: [String]
    }

    /// `POST /segments/{table}/startReplaceSegments?type=OFFLINE`: the entry's id. Every `from`
    /// segment must exist and no `to` segment may exist yet.
    public func startReplaceSegments(table: String, from: [String], to: [String], forceCleanup: Bool = false) async throws(ControllerError) -> String {
        let body = try Self.json(["segmentsFrom": from, "segmentsTo": to])
        let response = try await send("POST", "/segments/\(Self.pathSegment(table))/startReplaceSegments",
                                      query: [("type", "OFFLINE"), ("forceCleanup", forceCleanup ? "true" : "false")],
                                      body: body, contentType: "application/json")
        try check(response, "starting to replace \(from.count) segments by \(to.count)")
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let id = object["segmentLineageEntryId"] as? String, !id.isEmpty else {
            throw ControllerError(.controllerRejected, "the controller's answer to startReplaceSegments names no segmentLineageEntryId", status: response.status)
        }
        return id
    }

    /// `POST /segments/{table}/endReplaceSegments`: the new segments become the ones queries
    /// see. Ending a completed entry again is a no-op; a 500 (the controller's wait for the
    /// segments to come online ran out) is retried. `segmentsTo`, when given, narrows the entry
    /// to those of its segments (the others were never uploaded).
    public func endReplaceSegments(table: String, id: String, segmentsTo: [String]? = nil) async throws(ControllerError) {
        let body = try segmentsTo.map { names throws(ControllerError) in try Self.json(["segmentsTo": names]) }
        let response = try await send("POST", "/segments/\(Self.pathSegment(table))/endReplaceSegments",
                                      query: [("type", "OFFLINE"), ("segmentLineageEntryId", id)],
                                      body: body, contentType: body == nil ? nil : "application/json")
        try check(response, "ending segment replacement \(id)")
    }

    /// `POST /segments/{table}/revertReplaceSegments`: the old segments stay, the new ones are
    /// deleted (`force` for an entry still in progress).
    public func revertReplaceSegments(table: String, id: String, force: Bool) async throws(ControllerError) {
        let response = try await send("POST", "/segments/\(Self.pathSegment(table))/revertReplaceSegments",
                                      query: [("type", "OFFLINE"), ("segmentLineageEntryId", id), ("forceRevert", force ? "true" : "false")])
        try check(response, "reverting segment replacement \(id)")
    }

    /// `GET /segments/{table}/lineage?type=OFFLINE`: the entries by id (Pinot wraps them as
    /// `{"tableNameWithType", "lineageEntries": {id: entry}}`, and answers an empty body when the
    /// table never had one).
    public func lineage(table: String) async throws(ControllerError) -> [String: LineageEntry] {
        let response = try await send("GET", "/segments/\(Self.pathSegment(table))/lineage", query: [("type", "OFFLINE")])
        try check(response, "reading the segment lineage of \(table)")
        // A table that never had an entry answers with an empty body.
        guard !response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw ControllerError(.controllerRejected, "the controller's segment lineage of \(table) is not a JSON object", status: response.status)
        }
        var entries: [String: LineageEntry] = [:]
        for (id, value) in object["lineageEntries"] as? [String: Any] ?? [:] {
            guard let entry = value as? [String: Any], let state = (entry["state"] as? String).flatMap(LineageEntry.State.init) else { continue }
            entries[id] = LineageEntry(id: id, state: state, segmentsFrom: entry["segmentsFrom"] as? [String] ?? [],
                                       segmentsTo: entry["segmentsTo"] as? [String] ?? [])
        }
        return entries
    }

    private static func json(_ object: [String: Any]) throws(ControllerError) -> [UInt8] {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            throw ControllerError(.io, "cannot encode a lineage request")
        }
        return Array(data)
    }
}
