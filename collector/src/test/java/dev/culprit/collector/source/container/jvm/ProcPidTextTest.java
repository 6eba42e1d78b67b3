package dev.culprit.collector.source.container.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcPidTextTest {

  @Test
  void splitsCmdlineAtNulBytes() {
    byte[] cmdline = "java\0-Xmx2g\0-cp\0/app\0Alloc\0".getBytes(StandardCharsets.UTF_8);
    assertThat(ProcPidText.nulSeparated(cmdline))
        .containsExactly("java", "-Xmx2g", "-cp", "/app", "Alloc");
  }

  @Test
  void readsRssAndTheInnermostNamespacePid() {
    String status = "Name:\tjava\nNSpid:\t32361\t1\nVmRSS:\t  541792 kB\n";
    assertThat(ProcPidText.rssBytes(status)).isEqualTo(541792L * 1024);
    assertThat(ProcPidText.nsPid(status)).isEqualTo(1);
    assertThat(ProcPidText.nsPid("Name:\tx\n")).as("kernels before 4.1").isNull();
    assertThat(ProcPidText.rssBytes("Name:\tkworker\n")).as("kernel thread").isNull();
  }

  @Test
  void readsTheJavaVersionOfAReleaseFile() {
    assertThat(ProcPidText.releaseJavaVersion("IMPLEMENTOR=\"Debian\"\nJAVA_VERSION=\"17.0.15\"\n"))
        .isEqualTo("17.0.15");
    assertThat(ProcPidText.javaEnvironment(List.of("PATH=/bin", "JAVA_TOOL_OPTIONS=-Xmx1g", "X")))
        .containsOnlyKeys("JAVA_TOOL_OPTIONS");
  }
}
