package dev.culprit.collector.source.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Cgroup files other projects captured, with the values their own tests assert, read from {@code
 * ../shared/conformance} beside the repository (never copied into it).
 */
class CgroupConformanceTest {

  private static final Path FIXTURES = repoRoot().resolve("../shared/conformance/fixtures");

  @Test
  void aV1CpuStatWithThrottledTimeAtUnsigned64BitMaximumKeepsEveryCounter() throws Exception {
    Path fixture = fixture("ocgroups-fs-v1-cpu-stat-u64max");
    Map<String, String> expect = expectations(fixture);
    CgroupLayout layout = new CgroupLayout(1, null, fixture, null);

    CgroupCounters counters = new CgroupV1Reader(layout).read("/cg");

    assertThat(counters.cpuPeriods()).isEqualTo(Long.parseLong(expect.get("cpuPeriods")));
    assertThat(counters.cpuThrottledPeriods())
        .isEqualTo(Long.parseLong(expect.get("cpuThrottledPeriods")));
    assertThat(Long.toUnsignedString(counters.cpuThrottledNs()))
        .isEqualTo(expect.get("cpuThrottledNs"));
  }

  private static Path fixture(String id) {
    Path dir = FIXTURES.resolve(id).normalize();
    assumeTrue(
        Files.isRegularFile(dir.resolve("case.txt")),
        "conformance fixtures absent: " + dir + " (../shared/conformance beside the repository)");
    return dir;
  }

  /** The {@code expect KEY = VALUE} lines of a case. */
  private static Map<String, String> expectations(Path fixture) throws Exception {
    Map<String, String> expect = new LinkedHashMap<>();
    for (String line : Files.readAllLines(fixture.resolve("case.txt"))) {
      if (line.startsWith("expect ")) {
        String[] kv = line.substring("expect ".length()).split("=", 2);
        expect.put(kv[0].strip(), kv[1].strip());
      }
    }
    return expect;
  }

  /** The repository root: the parent of the module directory Maven runs tests in. */
  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    return Files.isRegularFile(dir.resolve("../pom.xml")) && dir.endsWith("collector")
        ? dir.getParent()
        : dir;
  }
}
