package io.trailkeep.cli;

import io.trailkeep.conf.ConfKey;
import java.util.ListResourceBundle;

/**
 * The configuration keys' defaults as a resource bundle for picocli's help texts: an option's
 * description says {@code ${bundle:default.<key>}} and the help shows the default {@link ConfKey}
 * declares, so no help text repeats a default. No side effects.
 */
public final class ConfDefaults extends ListResourceBundle {
  @Override
  protected Object[][] getContents() {
    return ConfKey.all().values().stream()
        .map(k -> new Object[] {"default." + k.name(), k.defaultText().isEmpty() ? "none" : k.defaultText()})
        .toArray(Object[][]::new);
  }
}
