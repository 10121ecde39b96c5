import AsyncAlgorithms
import Synchronization

/// A bounded channel between two pipeline stages, over swift-async-algorithms'
/// `MultiProducerSingleConsumerAsyncChannel`: a producer's ``Sender/send(_:)`` suspends while
/// the channel holds `high` or more (items, or bytes with a weight function) and resumes once it
/// drains below `low`, so a slow stage makes the one before it wait instead of buffering without
/// limit. One producer and one consumer; the producer ends the channel with ``Sender/finish()``,
/// after which the consumer drains what is buffered and then gets nil.
enum StageChannel {
    static func make<Element: Sendable>(
        _ type: Element.Type = Element.self, low: Int, high: Int, weight: (@Sendable (borrowing Element) -> Int)? = nil
    ) -> (Sender<Element>, Receiver<Element>) {
        let strategy: MultiProducerSingleConsumerAsyncChannel<Element, Never>.Source.BackpressureStrategy
        if let weight {
            strategy = .watermark(low: low, high: high, waterLevelForElement: weight)
        } else {
            strategy = .watermark(low: low, high: high)
        }
        var pair = MultiProducerSingleConsumerAsyncChannel.makeChannel(of: Element.self, throwing: Never.self, backpressureStrategy: strategy)
        let channel = pair.takeChannel()
        let source = consume pair.source
        return (Sender(source), Receiver(channel))
    }

    /// The producing end. Not for concurrent use: one stage sends, one at a time.
    ///
    /// `@unchecked Sendable`: the channel's `Source` is non-copyable and not `Sendable`; this box
    /// only moves it into the one child task that sends (the pipeline creates both ends before
    /// the task group and hands each to its stage), and is never used from two tasks at once.
    final class Sender<Element: Sendable>: @unchecked Sendable {
        private var source: MultiProducerSingleConsumerAsyncChannel<Element, Never>.Source?

        init(_ source: consuming MultiProducerSingleConsumerAsyncChannel<Element, Never>.Source) {
            self.source = consume source
        }

        /// Sends `element`, suspending while the channel is full.
        /// - Throws: `CancellationError` when the consumer has gone (the pipeline is stopping).
        func send(_ element: sending Element) async throws {
            guard var source = self.source.take() else { throw CancellationError() }
            do {
                try await source.send(element)
            } catch {
                throw CancellationError()
            }
            self.source = consume source
        }

        /// Ends the channel; the consumer sees nil after the buffered elements.
        func finish() {
            self.source.take()?.finish()
        }

        deinit { finish() }
    }

    /// The consuming end. `@unchecked Sendable` for the same reason as ``Sender``: one child
    /// task receives.
    final class Receiver<Element: Sendable>: @unchecked Sendable {
        private var channel: MultiProducerSingleConsumerAsyncChannel<Element, Never>?

        init(_ channel: consuming sending MultiProducerSingleConsumerAsyncChannel<Element, Never>) {
            self.channel = consume channel
        }

        /// The next element, or nil when the producer finished (or the task was cancelled).
        func next() async -> Element? {
            guard var channel = self.channel.take() else { return nil }
            let element = await channel.next(isolation: nil)
            self.channel = consume channel
            return element
        }
    }
}
