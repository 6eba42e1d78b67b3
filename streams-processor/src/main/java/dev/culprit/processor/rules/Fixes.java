package dev.culprit.processor.rules;

import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Fix;
import dev.culprit.schemas.FixScope;
import dev.culprit.schemas.FixScopeKind;
import dev.culprit.schemas.NetnsKind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A remediation as structure (where it runs, the argument vector, advice) and as the text an
 * operator pastes, which runs the same argv in the same place and nothing else.
 */
public final class Fixes {

  /**
   * The collector labels a namespace no name or container claims {@code netns-INODE-COMM}; named
   * namespaces ({@code /var/run/netns}) and container names need root to create, so a label of this
   * shape is taken for what it says.
   */
  private static final Pattern PROCESS_LABEL = Pattern.compile("netns-([0-9]+)-.*", Pattern.DOTALL);

  private Fixes() {}

  /** The host's own namespaces: fixes run as printed. */
  public static FixScope host() {
    return new FixScope(FixScopeKind.HOST, "");
  }

  /**
   * Where a fix for a namespace runs, from its label and the kind its samples carry: a named netns
   * is entered with {@code ip netns exec NAME}, a Docker container's through its pid ({@code docker
   * inspect}), another process's by its inode. Without a kind (samples of older collectors) the
   * label alone decides, as {@link #ofNetns(String)} does; so does a kind that contradicts the
   * label's shape, which no collector writes.
   */
  public static FixScope ofNetns(String label, NetnsKind kind) {
    if (label == null || label.isEmpty() || kind == null) {
      return ofNetns(label);
    }
    return switch (kind) {
      case NAMED_NETNS -> new FixScope(FixScopeKind.NETNS, label);
      case DOCKER_CONTAINER -> container(label);
      // Only the label holds the inode that finds the namespace when the fix is pasted.
      case PROCESS, HOST, UNKNOWN -> ofNetns(label);
    };
  }

  /**
   * Where a fix for a sample's netns label runs when its samples do not say what the namespace is
   * (collectors before the netns kind): "" is the host's, {@code netns-INODE-COMM} an unnamed
   * namespace found by its inode, and any other label is taken for a named netns. A container's
   * namespace, which the collector labels with the container's name, is therefore also addressed as
   * {@code ip netns exec NAME}: that fails (no such netns) rather than touch the host, never runs
   * in the wrong place.
   */
  public static FixScope ofNetns(String label) {
    if (label == null || label.isEmpty()) {
      return host();
    }
    if (PROCESS_LABEL.matcher(label).matches()) {
      return new FixScope(FixScopeKind.PROCESS_NETNS, label);
    }
    return new FixScope(FixScopeKind.NETNS, label);
  }

  /** Where a fix for this window's namespace runs: {@link #ofNetns(String, NetnsKind)}. */
  public static FixScope of(NetnsWindow window) {
    return ofNetns(window.netns(), window.netnsKind());
  }

  /** The network namespace of a Docker container, found at paste time. */
  public static FixScope container(String name) {
    return new FixScope(FixScopeKind.CONTAINER, name);
  }

  /** A command, with optional advice (null for none). */
  public static Fix command(FixScope scope, List<String> argv, String note) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("a command needs at least its program");
    }
    return new Fix(scope, List.copyOf(argv), note);
  }

  /** A command run in this window's namespace, with optional advice (null for none). */
  public static Fix inNetns(NetnsWindow window, List<String> argv, String note) {
    return command(of(window), argv, note);
  }

  /** {@code sysctl -w} of these settings ({@code name=value}), with optional advice. */
  public static Fix sysctl(FixScope scope, List<String> settings, String note) {
    List<String> argv = new ArrayList<>(List.of("sysctl", "-w"));
    argv.addAll(settings);
    return command(scope, argv, note);
  }

  /** Advice only: nothing to run. */
  public static Fix advice(FixScope scope, String note) {
    return new Fix(scope, List.of(), note);
  }

  /**
   * The text to paste into {@code /bin/sh} as root: the scope's prefix, each word quoted, advice
   * after a {@code #}. Whatever a name or comment holds, sh parses it into exactly {@code argv}.
   */
  public static String render(Fix fix) {
    String note =
        fix.getNote() == null || fix.getNote().isEmpty() ? null : Sh.comment(fix.getNote());
    if (fix.getArgv().isEmpty()) {
      return "# " + (note == null ? "" : note);
    }
    return prefix(fix.getScope()) + Sh.join(fix.getArgv()) + (note == null ? "" : "   # " + note);
  }

  /** What makes a command run in the scope's network namespace. */
  static String prefix(FixScope scope) {
    String name = scope.getName();
    return switch (scope.getKind()) {
      case NETNS -> "ip netns exec " + Sh.quote(name) + " ";
      // An empty pid (no such container) yields /proc//ns/net, which nsenter refuses.
      case CONTAINER ->
          "nsenter --net=/proc/\"$(docker inspect -f '{{.State.Pid}}' "
              + Sh.quote(name)
              + ")\"/ns/net ";
      case PROCESS_NETNS -> processPrefix(name);
      case HOST -> "";
      // Never guess: a fix without a known place would run on the host.
      case UNKNOWN -> throw new IllegalArgumentException("fix without a known scope");
    };
  }

  /**
   * Finds a process in the namespace by inode when pasted, so a pid that changed since the sample
   * cannot point elsewhere; when none is left, {@code nsenter --net=""} refuses to run.
   */
  private static String processPrefix(String label) {
    Matcher m = PROCESS_LABEL.matcher(label);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a process namespace label: " + label);
    }
    return "nsenter --net=\"$(find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/net'"
        + " -lname 'net:\\["
        + m.group(1)
        + "\\]' -print -quit 2>/dev/null)\" ";
  }
}
