/// Which groups of a step each of N shards builds (DESIGN.md, "Scaling out"): balanced by
/// record count — the largest group first, each to the shard with the fewest records so far,
/// ties to the lowest shard — so it depends only on the step's groups and N, and every shard
/// computes the same split.
enum ShardAssignment {
    /// - Returns: for each shard, its group indices, ascending.
    static func balance(records: [Int64], shards: Int) -> [[Int]] {
        precondition(shards > 0, "at least one shard")
        var parts = [[Int]](repeating: [], count: shards)
        var loads = [Int64](repeating: 0, count: shards)
        let order = records.indices.sorted { records[$0] != records[$1] ? records[$0] > records[$1] : $0 < $1 }
        for group in order {
            var lightest = 0
            for shard in 1..<shards where loads[shard] < loads[lightest] { lightest = shard }
            parts[lightest].append(group)
            loads[lightest] += max(records[group], 0)
        }
        return parts.map { $0.sorted() }
    }
}
