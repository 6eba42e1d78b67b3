package dev.culprit.collector.source;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.spi.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A fake host root (proc, sys, netns dir) under a temp dir, filled from fixtures. */
public final class FixtureTree {

  public static final int PID = 4242;
  private final Path root;
  private final HostPaths paths;

  public FixtureTree(Path root) throws IOException {
    this.root = root;
    this.paths = pathsUnder(root);
    Files.createDirectories(paths.procRoot().resolve(Integer.toString(PID)).resolve("net"));
    Files.createDirectories(paths.netnsDir());
    Files.createFile(paths.netnsDir().resolve("culprit-fx"));
  }

  /** The host paths of a fake root: {@code proc}, {@code sys}, {@code netns}, … below it. */
  public static HostPaths pathsUnder(Path root) {
    return new HostPaths(
        root.resolve("proc"),
        root.resolve("sys"),
        root.resolve("netns"),
        root.resolve("cgroup"),
        root.resolve("kmsg"));
  }

  public HostPaths paths() {
    return paths;
  }

  /** Puts fixture {@code fixture} at {@code proc/RELATIVE}. */
  public FixtureTree proc(String relative, String fixture) throws IOException {
    return write(paths.procRoot().resolve(relative), Fixtures.text(fixture));
  }

  public FixtureTree procText(String relative, String text) throws IOException {
    return write(paths.procRoot().resolve(relative), text);
  }

  private FixtureTree write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return this;
  }

  /** A namespace seen through the fixture process {@link #PID}. */
  public Netns withPid(String label) {
    return new Netns(label, 7L, paths.netnsDir().resolve("culprit-fx"), PID, false);
  }

  /** A namespace no process lives in: read through nsenter. */
  public Netns withoutPid(String label) {
    return new Netns(label, 8L, paths.netnsDir().resolve("culprit-fx"), null, false);
  }

  /** Access where none of the fixture namespaces is the collector's own. */
  public NetnsAccess access(CommandRunner runner) {
    return new NetnsAccess(paths, runner, Duration.ofSeconds(5), -1);
  }

  public Path root() {
    return root;
  }
}
