import Foundation
import Synchronization

/// What a finished process left: its exit status (or the signal that ended it) and everything
/// it wrote to standard output and standard error.
public struct ProcessResult: Sendable {
    public var status: Int32
    /// The signal that ended the process, when one did.
    public var signal: Int32?
    public var outputBytes: [UInt8]
    public var errorBytes: [UInt8]

    public var output: String { String(decoding: outputBytes, as: UTF8.self) }
    public var error: String { String(decoding: errorBytes, as: UTF8.self) }
    /// Standard output, then standard error.
    public var all: String { output + error }
}

/// Runs programs for tests (the worker binary, `python3`, `gzip`).
///
/// Standard output and standard error are each read to their end on a thread of their own,
/// while the process runs: a child that fills one pipe (64 KiB on Linux) while the test reads
/// the other cannot stop both. Standard input is `/dev/null` unless `input` is given. The calls
/// block the calling thread until the process ends.
public enum ProcessRunner {
    /// Runs `executable` with `arguments` to its end. `environment` is added to the test's own;
    /// with `mergingStandardError` both streams go to one pipe, interleaved as written, and the
    /// result's `output` holds them (its `error` is empty).
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: String? = nil, input: [UInt8]? = nil,
                           mergingStandardError: Bool = false) throws -> ProcessResult {
        try start(executable, arguments, environment: environment, currentDirectory: currentDirectory, input: input,
                  mergingStandardError: mergingStandardError).wait()
    }

    /// Starts `executable` and returns at once; ``RunningProcess/wait()`` gives its result.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                             currentDirectory: String? = nil, input: [UInt8]? = nil,
                             mergingStandardError: Bool = false) throws -> RunningProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = Repository.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let out = Pipe()
        let err = mergingStandardError ? out : Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = input.map { _ in Pipe() }
        process.standardInput = stdin ?? FileHandle.nullDevice
        try process.run()
        let output = PipeDrain(out.fileHandleForReading)
        let error = mergingStandardError ? nil : PipeDrain(err.fileHandleForReading)
        if let stdin, let input {
            let writer = stdin.fileHandleForWriting
            Thread.detachNewThread {
                try? writer.write(contentsOf: input)
                try? writer.close()
            }
        }
        return RunningProcess(process: process, output: output, error: error)
    }
}

/// A started process whose output is being drained; ``wait()`` returns its result.
public final class RunningProcess: Sendable {
    private let process: Process
    private let output: PipeDrain
    private let error: PipeDrain?

    fileprivate init(process: Process, output: PipeDrain, error: PipeDrain?) {
        self.process = process
        self.output = output
        self.error = error
    }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` (SIGTERM, SIGINT, SIGKILL…) to the process.
    public func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to end and for both streams to be read to their end.
    @discardableResult
    public func wait() -> ProcessResult {
        process.waitUntilExit()
        let outputBytes = output.wait()
        let errorBytes = error?.wait() ?? []
        let signalled = process.terminationReason == .uncaughtSignal
        return ProcessResult(status: process.terminationStatus, signal: signalled ? process.terminationStatus : nil,
                             outputBytes: outputBytes, errorBytes: errorBytes)
    }
}

/// Reads a pipe to its end on a thread of its own (not the cooperative pool, whose threads must
/// not block).
final class PipeDrain: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            let data = handle.readDataToEndOfFile()
            self.bytes.withLock { $0 = [UInt8](data) }
            self.done.signal()
        }
    }

    /// The bytes read, once the write end is closed (by the process and its children).
    func wait() -> [UInt8] {
        done.wait()
        done.signal()  // a second wait() returns at once
        return bytes.withLock { $0 }
    }
}
