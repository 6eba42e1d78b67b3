package dev.culprit.processor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Fix;
import dev.culprit.schemas.FixScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Pastes a printed remediation into a real {@code /bin/sh} where every program a fix may call is a
 * function that records its argv instead of running, and {@code PATH} holds only {@code touch}: the
 * recorded calls show what sh made of the text, and a canary file shows whether anything else ran.
 */
public final class ShellHarness {

  /** Every program a remediation starts with, or its scope's prefix calls. */
  static final List<String> PROGRAMS =
      List.of(
          "ip",
          "iptables",
          "ip6tables",
          "nft",
          "tc",
          "sysctl",
          "ethtool",
          "nsenter",
          "docker",
          "find");

  /** What the recorded {@code docker inspect} and {@code find} print: the pid in the namespace. */
  static final String PID = "4242";

  private final Path dir;
  private final Path canary;

  public ShellHarness(Path dir) throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "no /bin/sh");
    Path touch =
        Files.isExecutable(Path.of("/usr/bin/touch"))
            ? Path.of("/usr/bin/touch")
            : Path.of("/bin/touch");
    Assumptions.assumeTrue(Files.isExecutable(touch), "no touch for the canary");
    this.dir = dir;
    this.canary = dir.resolve("culprit-canary");
    Files.createDirectories(dir.resolve("bin"));
    Files.createSymbolicLink(dir.resolve("bin/touch"), touch);
  }

  /** The file an injected command would create. */
  public Path canary() {
    return canary;
  }

  /** The calls /bin/sh makes of {@code text}, each as its argv (program first). */
  public List<List<String>> calls(String text) throws IOException, InterruptedException {
    Path record = Files.createTempFile(dir, "calls", ".bin");
    StringBuilder script = new StringBuilder();
    script.append("rec() { printf '%s\\0' \"$#\" \"$@\" >> \"$CULPRIT_RECORD\"; }\n");
    for (String program : PROGRAMS) {
      script.append(program).append("() { rec ").append(program).append(" \"$@\"; ");
      if (program.equals("docker")) {
        script.append("if [ \"$1\" = inspect ]; then echo ").append(PID).append("; fi; ");
      } else if (program.equals("find")) {
        script.append("echo /proc/").append(PID).append("/ns/net; ");
      }
      script.append("}\n");
    }
    script.append(text).append('\n');
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script.toString());
    pb.environment().clear();
    pb.environment().put("PATH", dir.resolve("bin").toString());
    pb.environment().put("CULPRIT_RECORD", record.toString());
    pb.environment().put("HOME", dir.toString());
    pb.directory(dir.toFile());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("sh did not finish: " + text);
    }
    assertThat(output).as("what sh printed for: %s", text).isEmpty();
    assertThat(p.exitValue()).as("exit status of: %s", text).isZero();
    return parse(Files.readAllBytes(record));
  }

  /**
   * Asserts /bin/sh runs exactly {@code fix}'s argv, in its scope, for the text it was printed as,
   * and that nothing else ran.
   */
  public void assertRunsExactly(Fix fix, String printed) throws Exception {
    assertThat(calls(printed)).as("calls of: %s", printed).isEqualTo(expectedCalls(fix));
    assertThat(canary).as("injected command ran for: %s", printed).doesNotExist();
  }

  /** What a fix's text must make sh call: its scope's way in, then argv. */
  static List<List<String>> expectedCalls(Fix fix) {
    List<List<String>> calls = new ArrayList<>();
    List<String> argv = fix.getArgv();
    if (argv.isEmpty()) {
      return calls;
    }
    FixScope scope = fix.getScope();
    List<String> run = new ArrayList<>();
    switch (scope.getKind()) {
      case HOST -> {}
      case NETNS -> run.addAll(List.of("ip", "netns", "exec", scope.getName()));
      case CONTAINER -> {
        calls.add(List.of("docker", "inspect", "-f", "{{.State.Pid}}", scope.getName()));
        run.addAll(List.of("nsenter", "--net=/proc/" + PID + "/ns/net"));
      }
      case PROCESS_NETNS -> {
        String inode = scope.getName().replaceAll("(?s)^netns-([0-9]+)-.*", "$1");
        calls.add(
            List.of(
                "find",
                "/proc",
                "-mindepth",
                "3",
                "-maxdepth",
                "3",
                "-path",
                "/proc/[0-9]*/ns/net",
                "-lname",
                "net:\\[" + inode + "\\]",
                "-print",
                "-quit"));
        run.addAll(List.of("nsenter", "--net=/proc/" + PID + "/ns/net"));
      }
      default -> throw new AssertionError("scope " + scope);
    }
    run.addAll(argv);
    calls.add(run);
    return calls;
  }

  /** Records are: argument count, then the arguments, each ended by NUL. */
  private static List<List<String>> parse(byte[] bytes) {
    List<String> fields = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        fields.add(new String(Arrays.copyOfRange(bytes, start, i), StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    List<List<String>> calls = new ArrayList<>();
    for (int i = 0; i < fields.size(); ) {
      int n = Integer.parseInt(fields.get(i));
      calls.add(List.copyOf(fields.subList(i + 1, i + 1 + n)));
      i += 1 + n;
    }
    return calls;
  }
}
