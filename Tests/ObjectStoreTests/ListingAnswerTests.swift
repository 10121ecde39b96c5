import ObjectStore
import Testing

/// ListObjectsV2 answers cut short or missing fields are refused, never read as a shorter listing.
@Suite("S3 listing answers")
struct ListingAnswerTests {
    static let head = #"<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#

    static func page(_ text: String) throws(ObjectStoreError) -> (objects: [ObjectInfo], nextToken: String?) {
        try S3ObjectStore.listPage(Array(text.utf8), bucket: "b", prefix: "p/")
    }

    @Test("a complete page reads, entities unescaped")
    func complete() throws {
        let answer = try Self.page(Self.head + "<IsTruncated>true</IsTruncated><NextContinuationToken>t&amp;2</NextContinuationToken>"
            + "<Contents><Key>p/a&amp;b.parquet</Key><Size>10</Size><ETag>&quot;e1&quot;</ETag></Contents>"
            + "<Contents><Key>p/c.parquet</Key><Size>0</Size></Contents></ListBucketResult>\n")
        #expect(answer.objects.map(\.key) == ["p/a&b.parquet", "p/c.parquet"])
        #expect(answer.objects.map(\.size) == [10, 0])
        #expect(answer.objects.first?.etag == "e1")
        #expect(answer.nextToken == "t&2")
    }

    @Test("answers cut short or malformed are refused", arguments: [
        "<Contents><Key>a.parquet</Key>", "<Contents><Key>a.parquet</Key><Size>1</Size></Contents>",
        "<Contents><Key>a.parquet</Key></Contents></ListBucketResult>", "<Contents><Key>a</Key><Size>-4</Size></Contents></ListBucketResult>",
        "<Contents><Key>a</Key><Size>1</Size></ListBucketResult>", "<IsTruncated>true</IsTruncated></ListBucketResult>",
    ])
    func refused(body: String) {
        let error = #expect(throws: ObjectStoreError.self) { try Self.page(Self.head + body) }
        #expect(error?.code == .invalidResponse)
        #expect(throws: ObjectStoreError.self) { try Self.page("<Error><Code>x</Code></Error>") }
    }
}
