package io.trailkeep.generate;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One set of temporary credentials as STS issues them: an {@code ASIA} access key valid from its
 * creation until its expiration, for one principal. A principal with temporary credentials holds
 * a new session every {@link Org.Principal#sessionSeconds} seconds (see
 * {@link Org.Principal#sessionAt}); every event of the session carries its key and creation date,
 * and {@link SessionIssuance} writes the STS call that issued it.
 *
 * @param index the session's number since the epoch, for this principal
 */
record CredentialSession(Org.Principal principal, long index, Instant start, Instant expiration,
    String accessKeyId) {

  /**
   * CloudTrail writes {@code credentials.expiration} of STS responses in this English, 12-hour
   * form (for example {@code "Mar 1, 2024, 6:00:00 PM"}), not in ISO 8601.
   */
  static final DateTimeFormatter STS_EXPIRATION =
      DateTimeFormatter.ofPattern("MMM d, yyyy, h:mm:ss a", Locale.US).withZone(ZoneOffset.UTC);

  /** The session's expiration as CloudTrail writes it in the issuing call's response. */
  String expirationText() {
    return STS_EXPIRATION.format(expiration);
  }
}
