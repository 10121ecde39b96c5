/// A seeded xorshift generator for round trips and mutation tests: the same seed gives the same
/// sequence on every run. Name ``seed`` (or the generator itself, whose description is its seed)
/// in the failure message so a failing run can be replayed.
public struct SeededGenerator: RandomNumberGenerator, CustomStringConvertible, Sendable {
    /// The seed the generator started from.
    public let seed: UInt64
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        state = seed | 1
    }

    public mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    public var description: String { "seed \(seed)" }
}
