package dev.culprit.collector.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.collector.platform.netns.NsInode;
import dev.culprit.collector.spi.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the real-kernel tests share: their preconditions and handles on named namespaces. */
public final class KernelTests {

  private KernelTests() {}

  /** Skips the calling test unless this is root on Linux with every one of {@code tools}. */
  public static void assumeRootWith(String... tools) {
    assumeTrue(System.getProperty("os.name").startsWith("Linux"), "needs Linux");
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create namespaces");
    for (String tool : tools) {
      assumeTrue(onPath(tool), "needs " + tool + " on PATH");
    }
  }

  /** The namespace {@code ip netns add name} made, as the collector's finder would label it. */
  public static Netns named(String name) throws IOException {
    Path path = Path.of("/var/run/netns", name);
    return new Netns(name, NsInode.of(path), path, null, false);
  }

  private static boolean onPath(String tool) {
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
