package dev.culprit.app;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs culprit's command line in tests: in this JVM with its output captured, or as a child. */
final class Cli {

  private Cli() {}

  /** What a command line run in this JVM returned and printed. */
  record Run(int exitCode, String stdout, String stderr) {}

  /** {@link Main#run} with stdout and stderr captured; one at a time, as they are global. */
  static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** The command that runs culprit with these arguments in a child JVM on the test classpath. */
  static List<String> javaMain(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    return command;
  }

  /** The command that runs {@code jar} with these arguments in a child JVM of serial GC. */
  static List<String> javaJar(Path jar, String maxHeap, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:+UseSerialGC");
    command.add("-Xmx" + maxHeap);
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.addAll(args);
    return command;
  }

  /**
   * {@code collect}'s arguments for a collector of only the interface source, in no real netns,
   * each second, connecting with {@code connection} (e.g. "--bootstrap-servers", "host:port").
   */
  static List<String> interfaceCollect(String hostId, Path spoolDir, String... connection) {
    List<String> args = new ArrayList<>();
    args.add("collect");
    args.addAll(List.of(connection));
    args.addAll(
        List.of(
            "--interval",
            "1s",
            "--sources",
            "interface",
            "--netns-include",
            "culprit-none-*",
            "--host-id",
            hostId,
            "--spool-dir",
            spoolDir.toString()));
    return args;
  }

  /** {@code culprit up} in a child JVM: its broker on a free port, its state in {@code dataDir}. */
  static List<String> javaUp(Path dataDir, String... options) {
    List<String> args =
        new ArrayList<>(List.of("up", "--port", "0", "--data-dir", dataDir.toString()));
    args.addAll(List.of(options));
    return javaMain(args.toArray(String[]::new));
  }

  /** Starts {@code command} with no stdin and its output in these files. */
  static Process start(List<String> command, Path stdout, Path stderr) throws IOException {
    return new ProcessBuilder(command)
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }
}
