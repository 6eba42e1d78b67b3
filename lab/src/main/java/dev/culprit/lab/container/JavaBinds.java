package dev.culprit.lab.container;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a static busybox container needs to run this machine's JDK: the JDK and the C library,
 * bind-mounted read-only at the same paths, plus the lab's Java workload's class file.
 */
final class JavaBinds {

  private JavaBinds() {}

  /** The real path of this JVM's home. */
  static Path javaHome() throws IOException {
    return Path.of(System.getProperty("java.home")).toRealPath();
  }

  /**
   * Host directories to bind read-only at the same path, and the rootfs symlinks that make them
   * reachable: merged-/usr hosts (Debian 12) have {@code /lib -> usr/lib}, so the rootfs gets the
   * same symlink and only {@code /usr/lib*} is bound.
   */
  static List<String> readOnlyBinds() throws IOException {
    Set<Path> dirs = new LinkedHashSet<>();
    for (String d : List.of("/usr/lib", "/usr/lib64", "/lib", "/lib64")) {
      Path p = Path.of(d);
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        dirs.add(p);
      }
    }
    Path home = javaHome();
    if (dirs.stream().noneMatch(home::startsWith)) {
      dirs.add(home);
    }
    // Debian links jvm.cfg, security and logging config to /etc/java-NN-openjdk.
    for (String sub : List.of("lib", "conf")) {
      Path dir = home.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir, 3)) {
        for (Path f : files.filter(Files::isSymbolicLink).toList()) {
          Path target;
          try {
            target = f.toRealPath();
          } catch (IOException e) {
            continue;
          }
          Path finalTarget = target;
          if (dirs.stream().noneMatch(finalTarget::startsWith) && target.getParent() != null) {
            Path top = topConfigDir(target);
            dirs.add(top);
          }
        }
      }
    }
    List<String> binds = new ArrayList<>();
    for (Path d : dirs) {
      binds.add(d + ":" + d + ":ro");
    }
    return binds;
  }

  /** Host paths under / that the rootfs should have as symlinks (merged /usr). */
  static List<Path> rootSymlinks() throws IOException {
    List<Path> links = new ArrayList<>();
    for (String d : List.of("/lib", "/lib64", "/bin", "/sbin")) {
      Path p = Path.of(d);
      if (Files.isSymbolicLink(p)) {
        links.add(p);
      }
    }
    return links;
  }

  /** Writes {@link HeapHog}'s class file under {@code classesDir} (the classpath root). */
  static void writeHeapHog(Path classesDir) throws IOException {
    String resource = HeapHog.class.getName().replace('.', '/') + ".class";
    Path target = classesDir.resolve(resource);
    Files.createDirectories(target.getParent());
    try (InputStream in = HeapHog.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("cannot find " + resource + " on the classpath");
      }
      Files.write(target, in.readAllBytes());
    }
  }

  /** /etc/java-17-openjdk for /etc/java-17-openjdk/security/java.security. */
  private static Path topConfigDir(Path target) {
    Path p = target.getParent();
    while (p.getParent() != null && p.getParent().getParent() != null) {
      p = p.getParent();
    }
    return p;
  }
}
