@testable import Engine
import Foundation
import ObjectStore
import Testing

extension EngineEndToEnd {
    /// The one small protocol both backends keep: a conditional create, a compare-and-swap on
    /// the version read, a listing, a removal; and the lease on object storage. On moto (which
    /// honours `If-None-Match` and `If-Match`, though not atomically under concurrent writers,
    /// so these are single-writer semantics) and on a local folder.
    @Suite("engine: the state store on a folder and on S3", .serialized)
    struct StateStoreTests {
        static func stores() async throws -> [(any StateStore, cleanup: () -> Void)] {
            let folder = EngineFixtures.temporaryDirectory("state-store")
            var stores: [(any StateStore, cleanup: () -> Void)] = [(LocalStateStore(path: folder), { try? FileManager.default.removeItem(atPath: folder) })]
            if EngineFixtures.s3 {
                let bucket = "state-\(UInt32.random(in: 0...UInt32.max))"
                let s3 = EngineFixtures.s3Store(bucket)
                try await s3.createBucket()
                stores.append((ObjectStateStore(store: s3, prefix: "tasks/t/"), {}))
            }
            return stores
        }

        @Test("create only once; replace only the version read; list in order; remove")
        func conditionalWrites() async throws {
            guard EngineFixtures.requireServers(s3: true) else { return }
            for (store, cleanup) in try await Self.stores() {
                defer { cleanup() }
                let first = try #require(try await store.create("steps/0000000000/plan.json", Array("one".utf8)), "\(store.location)")
                #expect(try await store.create("steps/0000000000/plan.json", Array("two".utf8)) == nil, "\(store.location): a second create loses")
                #expect(try await store.read("steps/0000000000/plan.json") == StateObject(bytes: Array("one".utf8), version: first))
                let second = try #require(try await store.replace("steps/0000000000/plan.json", Array("three".utf8), ifVersion: first))
                #expect(second != first)
                #expect(try await store.replace("steps/0000000000/plan.json", Array("four".utf8), ifVersion: first) == nil,
                        "\(store.location): a stale version loses")
                #expect(try await store.read("steps/0000000000/plan.json")?.bytes == Array("three".utf8))
                #expect(try await store.replace("missing.json", [1], ifVersion: first) == nil, "\(store.location): no object, no match")
                try await store.write("ledger/0000000001/seg-b.json", [2])
                try await store.write("ledger/0000000000/seg-a.json", [1])
                #expect(try await store.list("ledger/") == ["ledger/0000000000/seg-a.json", "ledger/0000000001/seg-b.json"])
                try await store.remove("ledger/0000000000/seg-a.json")
                try await store.remove("ledger/0000000000/seg-a.json")
                #expect(try await store.read("ledger/0000000000/seg-a.json") == nil)
            }
        }

        @Test("the lease on S3: a second worker is refused naming the holder; a dead worker's expired lease is taken over; release removes only one's own")
        func lease() async throws {
            guard EngineFixtures.requireServers(s3: true), let (store, _) = try await Self.stores().last, !store.isLocal else { return }
            let held = try await TaskLease.acquire(store, taskName: "t", seconds: 30)
            await #expect(throws: EngineError.self) { _ = try await TaskLease.acquire(store, taskName: "t") }
            do {
                _ = try await TaskLease.acquire(store, taskName: "t")
            } catch {
                #expect(error.code == .taskLocked && error.message.contains("pid \(getpid())") && error.message.contains("ends in"), "\(error.message)")
            }
            #expect(await TaskLease.probe(store).held)
            await held.renew()
            #expect(!held.isLost)
            await held.release()
            #expect(try await store.read(TaskLease.name) == nil)

            let dead = LeaseRecord(holder: "gone:1:1", pid: 1, host: "gone", expiresAt: Date().timeIntervalSince1970 - 1, acquiredAt: "t")
            _ = try await store.write(TaskLease.name, StateFolder.json(dead))
            #expect(await !TaskLease.probe(store).held, "an expired lease holds nothing")
            let taken = try await TaskLease.acquire(store, taskName: "t", seconds: 30)
            // The old holder's renewal now finds another holder: its lease is lost.
            let found = try #require(try await store.read(TaskLease.name))
            #expect(String(decoding: found.bytes, as: UTF8.self).contains("\(getpid())"))
            await taken.release()
        }
    }
}
