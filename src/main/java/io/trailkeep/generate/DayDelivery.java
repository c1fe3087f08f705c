package io.trailkeep.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Replays a generated raw folder as S3 fills it, one day at a time: {@link #deliver} copies the
 * objects whose key holds a given day ({@code .../YYYY/MM/DD/...}, the layout of CloudTrail, its
 * digests, VPC Flow Logs and GuardDuty exports) and every object without a day (key files, ground
 * truth) into another folder. A night-by-night run ingests that folder after each day. Cost: one
 * walk of the raw folder per call; copies only what is not there yet. Side effects: files under
 * the target folder.
 */
public final class DayDelivery {
  private static final Pattern DAY_IN_KEY = Pattern.compile("/(\\d{4})/(\\d{2})/(\\d{2})/");

  private DayDelivery() {}

  /** Copies the objects of {@code day}, and every undated one, from {@code raw} to {@code to}. */
  public static void deliver(Path raw, Path to, LocalDate day) throws IOException {
    try (Stream<Path> files = Files.walk(raw)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String relative = raw.relativize(f).toString().replace('\\', '/');
        Matcher m = DAY_IN_KEY.matcher("/" + relative);
        if (m.find() && !LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3))).equals(day)) {
          continue;
        }
        Path target = to.resolve(relative);
        if (!Files.exists(target)) {
          Files.createDirectories(target.getParent());
          Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
