package dev.culprit.collector.source.container.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcFilesTest {

  @Test
  void splitsCmdlineAtNulBytes() {
    byte[] cmdline = "java\0-Xmx2g\0-cp\0/app\0Alloc\0".getBytes(StandardCharsets.UTF_8);
    assertThat(ProcFiles.nulSeparated(cmdline))
        .containsExactly("java", "-Xmx2g", "-cp", "/app", "Alloc");
  }

  @Test
  void readsRssAndTheInnermostNamespacePid() {
    String status = "Name:\tjava\nNSpid:\t32361\t1\nVmRSS:\t  541792 kB\n";
    assertThat(ProcFiles.rssBytes(status)).isEqualTo(541792L * 1024);
    assertThat(ProcFiles.nsPid(status)).isEqualTo(1);
    assertThat(ProcFiles.nsPid("Name:\tx\n")).as("kernels before 4.1").isNull();
    assertThat(ProcFiles.rssBytes("Name:\tkworker\n")).as("kernel thread").isNull();
  }

  @Test
  void countsStatFieldsAfterACommWithSpacesAndParentheses() {
    String stat =
        "4242 (Web (Content) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 12 0 987654 "
            + "1000000 200 18446744073709551615";
    assertThat(ProcFiles.startTimeTicks(stat)).isEqualTo(987654L);
    assertThat(ProcFiles.startTimeTicks("4242 (x) S 1")).isNull();
  }

  @Test
  void readsTheJavaVersionOfAReleaseFile() {
    assertThat(ProcFiles.releaseJavaVersion("IMPLEMENTOR=\"Debian\"\nJAVA_VERSION=\"17.0.15\"\n"))
        .isEqualTo("17.0.15");
    assertThat(ProcFiles.javaEnvironment(List.of("PATH=/bin", "JAVA_TOOL_OPTIONS=-Xmx1g", "X")))
        .containsOnlyKeys("JAVA_TOOL_OPTIONS");
  }
}
