package io.trailkeep.integrity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trailkeep.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The signing string against the worked example of AWS's custom-validation documentation (copied
 * into the test resources with its licence note), not only against our own signer.
 */
class DigestSignatureTest {

  @Test
  void theSigningStringIsTheDocumentedExample() {
    List<String> doc = Fixtures.resource("/fixtures/aws-doc-examples/cloudtrail_signing_string_example.txt")
        .lines().toList();
    assertEquals(6, doc.size(), "end time, path, hash, and the previous signature wrapped over three lines");
    String path = doc.get(1);
    String bucket = path.substring(0, path.indexOf('/'));
    String key = path.substring(path.indexOf('/') + 1);
    // the page wraps the previous signature over three lines for width: it is one line of hex
    String previous = doc.get(3) + doc.get(4) + doc.get(5);
    String expected = doc.get(0) + "\n" + doc.get(1) + "\n" + doc.get(2) + "\n" + previous;
    assertEquals(expected, DigestSignature.signingString(doc.get(0), bucket, key, doc.get(2), previous));
    assertEquals(512, previous.length(), "an RSA-2048 signature in hex");
  }

  @Test
  void aChainsFirstDigestSignsTheWordNull() {
    assertEquals("2015-08-12T04:01:31Z\nb/k.json.gz\n" + "ab".repeat(32) + "\nnull",
        DigestSignature.signingString("2015-08-12T04:01:31Z", "b", "k.json.gz", "ab".repeat(32), null));
  }
}
