import Synchronization

/// What is in flight between fetch, decode and build, with the peaks a run saw: the bound that
/// backpressure keeps.
public struct PipelineGauges: Sendable, Equatable {
    /// Decoded row groups not yet consumed by the builder (in decode, waiting, or in the channel).
    public var rowGroupsInFlight = 0
    public var peakRowGroupsInFlight = 0
    /// Their bytes.
    public var bytesInFlight = 0
    public var peakBytesInFlight = 0
    /// Sealed segments not yet pushed.
    public var sealedInFlight = 0
    public var peakSealedInFlight = 0
}

final class GaugeBox: Sendable {
    private let state = Mutex(PipelineGauges())

    var value: PipelineGauges { state.withLock { $0 } }

    func decoded(bytes: Int) {
        state.withLock { g in
            g.rowGroupsInFlight += 1
            g.bytesInFlight += bytes
            g.peakRowGroupsInFlight = max(g.peakRowGroupsInFlight, g.rowGroupsInFlight)
            g.peakBytesInFlight = max(g.peakBytesInFlight, g.bytesInFlight)
        }
    }

    func consumed(bytes: Int) {
        state.withLock { g in
            g.rowGroupsInFlight -= 1
            g.bytesInFlight -= bytes
        }
    }

    func sealed() {
        state.withLock { g in
            g.sealedInFlight += 1
            g.peakSealedInFlight = max(g.peakSealedInFlight, g.sealedInFlight)
        }
    }

    func pushed() { state.withLock { $0.sealedInFlight -= 1 } }
}

