@testable import Engine
import Foundation
import ObjectStore
import Testing
import TestSupport

extension EngineEndToEnd {
    /// One task as three shards, started as an Indexed Job starts them (`JOB_COMPLETION_INDEX`),
    /// with the state on moto's S3: the segments equal one unsharded run's, whatever is killed,
    /// doubled, late or committed in between.
    @Suite("engine: shards of one task, state on S3", .serialized)
    struct ShardTests {
        /// Parquet files written by pyarrow into a moto bucket, and tasks over them.
        struct ShardLake {
            let root = EngineFixtures.temporaryDirectory("shards")
            let bucket = "shards-\(UInt32.random(in: 0...UInt32.max))"

            init(files: Int) async throws {
                try await EngineFixtures.s3Store(bucket).createBucket()
                for index in 0..<files { try add("part-\(index)", ids: index * 2000..<(index + 1) * 2000) }
            }

            func add(_ name: String, ids: Range<Int>) throws {
                try EngineFixtures.python("""
                    import boto3, io, os, pyarrow as pa, pyarrow.parquet as pq
                    t = pa.table({"id": pa.array(range(\(ids.lowerBound), \(ids.upperBound)), pa.int64()),
                                  "name": [f"name-{i}" for i in range(\(ids.lowerBound), \(ids.upperBound))]})
                    b = io.BytesIO(); pq.write_table(t, b, row_group_size=1000)
                    s3 = boto3.client("s3", endpoint_url=os.environ["LAKEINGEST_S3_ENDPOINT"], region_name="us-east-1",
                                      aws_access_key_id=os.environ["LAKEINGEST_S3_ACCESS_KEY"], aws_secret_access_key=os.environ["LAKEINGEST_S3_SECRET_KEY"])
                    s3.put_object(Bucket="\(bucket)", Key="events/\(name).parquet", Body=b.getvalue())
                    """)
            }

            /// A task whose state is `s3://<bucket>/state-<label>/` and whose segments go to `root/out-<label>`.
            func config(_ label: String, maxRows: Int = 4000) throws -> String {
                try EngineFixtures.configuration("""
                    {"taskName": "shards", "table": "events",
                     "source": {"type": "s3-data-lake", "location": "s3://\(bucket)/events/", "storage": \(EngineFixtures.motoStorage)},
                     "segments": {"maxRowsPerSegment": \(maxRows)}, "push": {"outputDir": "\(root)/out-\(label)"},
                     "stateDir": "s3://\(bucket)/state-\(label)/"}
                    """, in: root + "/" + label).path
            }

            func out(_ label: String) throws -> PushedSegments { try PushedSegments(folder: root + "/out-" + label) }

            /// Starts shard `index` of `count` as a Kubernetes Indexed Job would: the index in the environment.
            func start(_ config: String, shard index: Int, of count: Int, environment: [String: String] = [:]) throws -> RunningProcess {
                try ProcessRunner.start(EngineFixtures.worker, ["run", "--config", config, "--shards", String(count)],
                                        environment: environment.merging(["JOB_COMPLETION_INDEX": String(index)]) { a, _ in a })
            }

            func state(_ config: String) throws -> StateFolder {
                try StateFolder.open(try TaskConfiguration.load(path: config))
            }
        }

        static func expectSame(_ sharded: PushedSegments, _ single: PushedSegments, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(!single.names.isEmpty, "\(label): the unsharded run built segments", sourceLocation: sourceLocation)
            #expect(sharded.names == single.names, "\(label): segment names \(sharded.names) against \(single.names)", sourceLocation: sourceLocation)
            #expect(sharded.duplicateIds.isEmpty, "\(label): duplicated rows \(sharded.duplicateIds.prefix(5))", sourceLocation: sourceLocation)
            #expect(sharded.rowCount == single.rowCount && sharded.rows == single.rows, "\(label): rows differ", sourceLocation: sourceLocation)
        }

        @Test("three shards started at once: the same segments as one unsharded run; the checkpoint moves once; a shard started after exits 0 having pushed nothing")
        func threeShards() async throws {
            guard EngineFixtures.requireServers(s3: true) else { return }
            let lake = try await ShardLake(files: 7)
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let single = try lake.config("single")
            #expect(try EngineFixtures.worker(["run", "--config", single]).status == 0)
            let sharded = try lake.config("sharded")
            let shards = try (0..<3).map { try lake.start(sharded, shard: $0, of: 3) }
            for (index, process) in shards.enumerated() {
                let result = process.wait()
                #expect(result.status == 0, "shard \(index): \(result.all.suffix(600))")
            }
            Self.expectSame(try lake.out("sharded"), try lake.out("single"), "three shards")
            let state = try lake.state(sharded)
            let checkpoint = try await state.checkpoint()
            #expect(checkpoint?.steps == 1 && checkpoint?.inProgress == nil)
            #expect(checkpoint?.ingestedFiles?.count == 7, "the step's files are recorded: \(checkpoint?.ingestedFiles?.keys.sorted() ?? [])")
            #expect(Set(try await state.ledger().map(\.segment)) == Set(try lake.out("single").names))
            let plan = try #require(try await state.shardPlan(0))
            #expect(plan.plan.assignment.map(\.count) == [2, 1, 1], "4 groups over 3 shards: \(plan.plan.assignment)")
            #expect(try await state.status()?.state == .completed)

            let before = try FileManager.default.contentsOfDirectory(atPath: lake.root + "/out-sharded").sorted()
            let late = try lake.start(sharded, shard: 1, of: 3).wait()
            #expect(late.status == 0, "\(late.all.suffix(400))")
            #expect(late.all.contains("nothing new"), "\(late.all.suffix(400))")
            #expect(try FileManager.default.contentsOfDirectory(atPath: lake.root + "/out-sharded").sorted() == before)
            #expect(try await state.checkpoint()?.steps == 1)
        }

        @Test("kill -9 of a shard after its first push, and a rerun of that index: the same segments; the step waits for it")
        func killedShard() async throws {
            guard EngineFixtures.requireServers(s3: true) else { return }
            let lake = try await ShardLake(files: 8)
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let single = try lake.config("single", maxRows: 2000)
            #expect(try EngineFixtures.worker(["run", "--config", single]).status == 0)
            let sharded = try lake.config("sharded", maxRows: 2000)
            let killed = try lake.start(sharded, shard: 1, of: 3, environment: ["LAKEINGEST_FAULT_KILL_AT": "pushed:1"]).wait()
            #expect(killed.signal == SIGKILL, "\(killed.all.suffix(400))")
            for index in [0, 2] {
                let result = try lake.start(sharded, shard: index, of: 3).wait()
                #expect(result.status == 0, "shard \(index): \(result.all.suffix(400))")
            }
            let state = try lake.state(sharded)
            #expect(try await state.checkpoint() == nil, "the step is not complete while shard 1's part is not")
            let record = try await state.shardRecord(0, 1)?.record
            // Killed between its first upload and recording it: nothing recorded, the rerun pushes it again.
            #expect(record?.done != true && (record?.segments ?? [:]).isEmpty, "\(String(describing: record))")
            let step = try #require(try await IngestionTask(configuration: try TaskConfiguration.load(path: sharded)).shardedStep())
            #expect(step.shards == 3 && step.parts.map(\.done) == [true, false, true], "\(step)")
            let printed = try EngineFixtures.worker(["status", "--config", sharded])
            #expect(printed.status == 0 && printed.output.contains("shard 1: 0 of \(step.parts[1].groups) groups"), "\(printed.all)")
            let rerun = try lake.start(sharded, shard: 1, of: 3).wait()
            #expect(rerun.status == 0, "\(rerun.all.suffix(400))")
            Self.expectSame(try lake.out("sharded"), try lake.out("single"), "after the rerun of shard 1")
            #expect(try await state.checkpoint()?.steps == 1)
        }

        @Test("two workers with the same index at once (Kubernetes may start both): the same segments, one step")
        func doubledIndex() async throws {
            guard EngineFixtures.requireServers(s3: true) else { return }
            let lake = try await ShardLake(files: 6)
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let single = try lake.config("single", maxRows: 2000)
            #expect(try EngineFixtures.worker(["run", "--config", single]).status == 0)
            let sharded = try lake.config("sharded", maxRows: 2000)
            let processes = try [0, 0, 1, 1].map { try lake.start(sharded, shard: $0, of: 2) }
            for process in processes {
                let result = process.wait()
                #expect(result.status == 0, "\(result.all.suffix(400))")
            }
            Self.expectSame(try lake.out("sharded"), try lake.out("single"), "doubled indexes")
            let state = try lake.state(sharded)
            #expect(try await state.checkpoint()?.steps == 1)
            #expect(EngineFixtures.ledgerObjects(lake.root).isEmpty, "the ledger is on S3, not on local disk")
            #expect(try await state.ledger().count == 6)
        }

        @Test("a file added between the first and the last shard's start changes nothing: the step's plan holds; the next run takes the file")
        func committedBetween() async throws {
            guard EngineFixtures.requireServers(s3: true) else { return }
            let lake = try await ShardLake(files: 6)
            defer { try? FileManager.default.removeItem(atPath: lake.root) }
            let single = try lake.config("single")
            #expect(try EngineFixtures.worker(["run", "--config", single]).status == 0)
            let sharded = try lake.config("sharded")
            #expect(try lake.start(sharded, shard: 0, of: 3).wait().status == 0)
            try lake.add("part-late", ids: 50_000..<50_500)
            for index in [1, 2] {
                let result = try lake.start(sharded, shard: index, of: 3).wait()
                #expect(result.status == 0, "shard \(index): \(result.all.suffix(400))")
            }
            Self.expectSame(try lake.out("sharded"), try lake.out("single"), "a file added while the shards started")
            // The next run of the shards is a step of its own, with the new file.
            for index in 0..<3 { #expect(try lake.start(sharded, shard: index, of: 3).wait().status == 0) }
            #expect(try EngineFixtures.worker(["run", "--config", single]).status == 0)
            Self.expectSame(try lake.out("sharded"), try lake.out("single"), "the next step")
            #expect(try lake.out("sharded").rowCount == 12_500)
            #expect(try await lake.state(sharded).checkpoint()?.steps == 2)
        }
    }
}
