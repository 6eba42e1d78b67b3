package dev.culprit.collector.source.dropreason;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which instances a starting agent removes as left by a killed one: those of its own pid namespace
 * whose process is gone or is another process now; never another pid namespace's.
 */
class DropReasonSourceStaleInstanceTest {

  /** Above any kernel's pid_max (2^22): no process has it. */
  private static final long NO_SUCH_PID = 999_999_999L;

  @Test
  void removesOnlyItsOwnPidNamespacesInstancesWhoseProcessIsGone(@TempDir Path instances)
      throws Exception {
    long ownNs = 4026531836L;
    long otherNs = 4026532999L;
    ProcessHandle self = ProcessHandle.current();
    long selfStart = self.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    Path gone = dir(instances, KfreeSkbInstance.name(ownNs, NO_SUCH_PID, 5));
    Path reused = dir(instances, KfreeSkbInstance.name(ownNs, self.pid(), selfStart + 1));
    Path alive = dir(instances, KfreeSkbInstance.name(ownNs, self.pid(), selfStart));
    Path otherNamespaces = dir(instances, KfreeSkbInstance.name(otherNs, NO_SUCH_PID, 5));
    Path notOurs = dir(instances, "culprit-dropreasons-by-hand");

    assertThat(KfreeSkbInstance.removeStale(instances, ownNs))
        .containsExactlyInAnyOrder(gone, reused);

    assertThat(gone).doesNotExist();
    assertThat(reused).doesNotExist();
    assertThat(alive).isDirectory();
    assertThat(otherNamespaces).as("another pid namespace's, owner unknowable").isDirectory();
    assertThat(notOurs).isDirectory();
  }

  @Test
  void readsThisProcesssPidNamespace() throws Exception {
    String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();

    assertThat(link).isEqualTo("pid:[" + KfreeSkbInstance.ownPidNamespace() + "]");
  }

  private static Path dir(Path parent, String name) throws Exception {
    return Files.createDirectory(parent.resolve(name));
  }
}
