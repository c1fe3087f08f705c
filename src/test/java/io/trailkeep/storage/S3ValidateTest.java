package io.trailkeep.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trailkeep.generate.Generator;
import io.trailkeep.integrity.ValidateJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.testing.S3Fixture;
import io.trailkeep.testing.TestSpark;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Digest signatures in S3 object metadata, as CloudTrail stores them, on the local S3 server. */
class S3ValidateTest {

  @Test
  void signaturesInObjectMetadataValidateAndAnObjectWithoutThemDoesNot() {
    String raw = S3Fixture.bucket("validate-raw");
    Generator.Result gen = Generator.with(TestSpark.get().sparkContext().hadoopConfiguration())
        .raw(raw).events(200).days(1).accounts(1).seed(92).start(LocalDate.of(2026, 9, 11))
        .flowRatio(0).findingsPerDay(0).scenarios(List.of()).execute();
    String bucket = S3Clients.bucketAndKey(raw)[0];
    String digestKey;
    try (S3Client s3 = S3Clients.create(TestSpark.get().sparkContext().hadoopConfiguration(), bucket)) {
      List<S3Object> digests = s3.listObjectsV2(r -> r.bucket(bucket).prefix("AWSLogs/")).contents()
          .stream().filter(o -> o.key().contains("/CloudTrail-Digest/")).toList();
      assertEquals(List.of(), digests.stream().filter(o -> o.key().endsWith(".metadata.json")).toList(),
          "no sidecars on S3: the signature is object metadata");
      digestKey = digests.stream().filter(o -> o.key().contains("/CloudTrail-Digest/us-east-1/"))
          .toList().get(3).key();
      HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(digestKey));
      assertEquals("SHA256withRSA", head.metadata().get("signature-algorithm"));
    }
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("lake-s3-validate").toString());
    ValidateJob.Result ok = ValidateJob.on(lake).raw(raw)
        .publicKeys(raw + "/cloudtrail-public-keys.json").execute();
    assertEquals(0, ok.problemCount(), ok.problems().toString());
    assertEquals(gen.digestFiles(), ok.digestsChecked());

    // a digest stored again without its metadata is still checked, with the signature its
    // successor names (as AWS's validator does); the newest one has no successor
    String newestKey;
    try (S3Client s3 = S3Clients.create(TestSpark.get().sparkContext().hadoopConfiguration(), bucket)) {
      List<S3Object> digests = s3.listObjectsV2(r -> r.bucket(bucket).prefix("AWSLogs/")).contents()
          .stream().filter(o -> o.key().contains("/CloudTrail-Digest/us-east-1/")).toList();
      newestKey = digests.get(digests.size() - 1).key();
      for (String k : List.of(digestKey, newestKey)) {
        byte[] body = s3.getObjectAsBytes(r -> r.bucket(bucket).key(k)).asByteArray();
        s3.putObject(r -> r.bucket(bucket).key(k), RequestBody.fromBytes(body));
      }
    }
    ValidateJob.Result bad = ValidateJob.on(lake).raw(raw)
        .publicKeys(raw + "/cloudtrail-public-keys.json").execute();
    assertEquals(List.of(Map.of("verdict", "bad_signature", "key", newestKey)), bad.problems());
  }
}
