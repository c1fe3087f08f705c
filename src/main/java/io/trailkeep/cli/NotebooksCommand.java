package io.trailkeep.cli;

import io.trailkeep.schema.Source;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.job.JobResult;
import io.trailkeep.lake.Lake;
import io.trailkeep.report.Notebook;
import io.trailkeep.report.NotebookPages;
import io.trailkeep.spark.Sessions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trailkeep notebooks}: the notebooks rendered with their outputs to HTML. */
@Command(mixinStandardHelpOptions = true, name = "notebooks",
    description = "Run every notebook's SQL against the lake and write each notebook with its "
        + "outputs as a self-contained HTML page (and index.html), for the docs.")
final class NotebooksCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Folder of the .ipynb files (default: the notebooks shipped with TrailKeep).")
  Path dir;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Folder for the pages (default: notebooks-html beside a local lake; ./notebooks-html for a "
          + "lake on S3).")
  Path out;

  @Option(names = "--param", paramLabel = "NAME=VALUE",
      description = "Replace a notebook parameter, e.g. trailkeep.incident=inc-...; repeatable.")
  List<String> params;

  @Option(names = "--rows", paramLabel = "N", defaultValue = "20",
      description = "Rows shown per query (default 20).")
  int rows;

  /** What was rendered. */
  record Result(List<NotebookPages.Rendered> notebooks, String index, long queries, long queriesFailed)
      implements JobResult {
    @Override
    public String job() {
      return "notebooks";
    }

    @Override
    public String status() {
      return queriesFailed == 0 ? "succeeded" : "partial";
    }
  }

  @Override
  public Integer call() throws IOException {
    TrailkeepConf conf = common.resolve(Map.of());
    Map<String, String> values = CommonOptions.pairs("--param", "NAME=VALUE", params);
    if (rows < 1) {
      throw new ConfException("--rows must be at least 1");
    }
    String home = System.getProperty("trailkeep.home", System.getenv("TRAILKEEP_HOME"));
    Path dir = this.dir != null ? this.dir : home == null ? Path.of("notebooks") : Path.of(home, "notebooks");
    Path out = this.out != null ? this.out : io.trailkeep.lake.Lake.localSibling(conf.get(ConfKey.LAKE),
        "notebooks-html");
    if (!Files.isDirectory(dir)) {
      throw new ConfException("no notebook folder at " + dir.toAbsolutePath() + "; pass --dir");
    }
    List<Notebook> notebooks = Notebook.readAll(dir);
    if (notebooks.isEmpty()) {
      throw new ConfException("no .ipynb files in " + dir.toAbsolutePath());
    }
    for (String name : values.keySet()) {
      if (notebooks.stream().noneMatch(n -> n.parameters().containsKey(name))) {
        throw new ConfException("no notebook has the parameter '" + name + "'");
      }
    }
    PrintWriter w = spec.commandLine().getOut();
    try (Sessions.Handle session = CommonOptions.session(conf, "notebooks")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      lake.requireAny("notebooks", Source.dataTables(), "run 'trailkeep ingest' first");
      Path target = out.toAbsolutePath();
      List<NotebookPages.Rendered> done = NotebookPages.render(lake, notebooks, values, rows, target);
      StringBuilder human = new StringBuilder();
      long queries = 0;
      long failed = 0;
      for (NotebookPages.Rendered r : done) {
        queries += r.queries();
        failed += r.failed().size();
        human.append(String.format("%-40s %2d queries, %6d rows%s%n", r.notebook(), r.queries(), r.rows(),
            (r.failed().isEmpty() ? "" : ", FAILED " + String.join("; ", r.failed()))
                + (r.empty().isEmpty() ? "" : ", no rows from " + String.join(", ", r.empty()))));
      }
      human.append(done.size()).append(" notebooks in ").append(target.resolve("index.html"));
      int code = common.printSummary(w, new Result(done, target.resolve("index.html").toString(), queries,
          failed), human.toString());
      return code;
    }
  }
}
