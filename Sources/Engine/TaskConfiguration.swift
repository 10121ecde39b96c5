import Foundation
import ObjectStore

/// The task configuration (DESIGN.md, "The task configuration"): where the data is, how to reach
/// it, how to derive the Pinot schema, how to push segments, where the state lives.
public struct TaskConfiguration: Sendable, Codable {
    public var taskName: String
    public var enabled: Bool?
    public var table: String
    public var source: Source
    public var schema: SchemaOptions?
    public var segments: SegmentOptions?
    public var push: PushOptions?
    public var stateDir: String?
    public var continueOnFileError: Bool?

    public struct Credentials: Sendable, Codable {
        public var accessKey: String?
        public var secretKey: String?
        public var sessionToken: String?
        public var region: String?
        public var endpoint: String?
        public var pathStyle: Bool?

        public init() {}

        private enum CodingKeys: String, CodingKey { case accessKey, secretKey, sessionToken, region, endpoint, pathStyle }

        /// Encodes everything but the secret key and the session token, which never leave memory.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(accessKey, forKey: .accessKey)
            try container.encodeIfPresent(region, forKey: .region)
            try container.encodeIfPresent(endpoint, forKey: .endpoint)
            try container.encodeIfPresent(pathStyle, forKey: .pathStyle)
        }

        /// The explicit keys, or the `AWS_*` environment variables.
        public func resolved() -> AWSCredentials? {
            AWSCredentials.resolve(accessKeyId: accessKey, secretAccessKey: secretKey, sessionToken: sessionToken)
        }
    }

    public struct Source: Sendable, Codable {
        /// `iceberg-rest`, `iceberg-table` or `s3-data-lake`.
        public var type: String
        public var restService: String?
        public var uri: String?
        public var warehouse: String?
        public var namespace: String?
        public var tableName: String?
        public var location: String?
        public var metastore: Credentials?
        public var storage: Credentials?
        /// `fail` (default) or `skip`.
        public var nonAppendSnapshots: String?
    }

    public struct SchemaOptions: Sendable, Codable {
        public var name: String?
        public var timeColumn: String?
        public var includePartitionColumns: Bool?
    }

    public struct SegmentOptions: Sendable, Codable {
        public var maxRowsPerSegment: Int?
    }

    public struct PushOptions: Sendable, Codable {
        public var mode: String?
        public var outputDir: String?
        public var controllerUri: String?
    }

    /// The folder of the configuration file: relative paths are relative to it.
    public var baseDirectory: String = "."

    private enum CodingKeys: String, CodingKey {
        case taskName, enabled, table, source, schema, segments, push, stateDir, continueOnFileError
    }

    /// Reads a configuration file.
    /// - Throws: `EngineError.invalidConfiguration` naming what is wrong.
    public static func load(path: String) throws(EngineError) -> TaskConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError(.invalidConfiguration, "cannot read the configuration file \(path)")
        }
        var configuration: TaskConfiguration
        do {
            configuration = try JSONDecoder().decode(TaskConfiguration.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw EngineError(.invalidConfiguration, "\(path): missing \"\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))\"")
        } catch let DecodingError.typeMismatch(_, context) {
            throw EngineError(.invalidConfiguration, "\(path): wrong type at \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\"")
        } catch {
            throw EngineError(.invalidConfiguration, "\(path) is not valid JSON for a task configuration")
        }
        configuration.baseDirectory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        try configuration.validate()
        return configuration
    }

    func validate() throws(EngineError) {
        switch source.type {
        case "iceberg-rest":
            guard let service = source.restService, ["glue", "s3tables", "rest"].contains(service) else {
                throw EngineError(.invalidConfiguration, "source.restService must be glue, s3tables or rest")
            }
            if service == "rest" && source.uri == nil { throw EngineError(.invalidConfiguration, "source.uri is required for a rest catalog") }
        case "iceberg-table", "s3-data-lake":
            guard source.location != nil else { throw EngineError(.invalidConfiguration, "source.location is required for \(source.type)") }
        default:
            throw EngineError(.invalidConfiguration, "source.type must be iceberg-rest, iceberg-table or s3-data-lake, not \(source.type)")
        }
        if let policy = source.nonAppendSnapshots, policy != "fail", policy != "skip" {
            throw EngineError(.invalidConfiguration, "source.nonAppendSnapshots must be fail or skip")
        }
    }

    /// A path from the configuration made absolute against the configuration's folder.
    public func resolvePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : baseDirectory + "/" + path
    }

    /// A `file://` location with a relative path made absolute; other locations unchanged.
    public func resolveLocation(_ location: String) -> String {
        guard location.hasPrefix("file://") else { return location }
        let path = String(location.dropFirst("file://".count))
        return "file://" + resolvePath(path)
    }
}
