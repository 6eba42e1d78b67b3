package dev.culprit.collector.source.kernel;

import dev.culprit.collector.testing.KernelTests;
import dev.culprit.collector.testing.NetnsShell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Two real network namespaces joined by a veth, the smallest network the collector's kernel tests
 * sample (not the {@code culprit lab}, which the collector's tests cannot depend on). Everything is
 * named with the project prefix and removed by {@link #close()}, which also ends the processes it
 * started (by PID).
 */
final class VethNamespacePair implements AutoCloseable {

  static final String A = "culprit-t-a";
  static final String B = "culprit-t-b";
  static final String VETH_A = "cut-a0";
  static final String VETH_B = "cut-b0";
  static final String ADDR_A = "10.250.71.1";
  static final String ADDR_B = "10.250.71.2";

  private final NetnsShell shell = new NetnsShell();
  private final List<Process> processes = new ArrayList<>();
  private final Path www;

  VethNamespacePair() throws IOException {
    www = Files.createTempDirectory("culprit-t-www");
  }

  /** Skips the calling test unless this is root on Linux with ip, tc, iptables and busybox. */
  static void assumeUsable() {
    KernelTests.assumeRootWith("ip", "tc", "iptables", "nsenter", "busybox");
  }

  /** Creates both namespaces (removing leftovers of a crashed run first) and the veth. */
  void up(int mtuA) throws Exception {
    down();
    shell.addNamespaces(A, B);
    shell.veth(A, VETH_A, B, VETH_B);
    run("ip", "-n", A, "addr", "add", ADDR_A + "/24", "dev", VETH_A);
    run("ip", "-n", B, "addr", "add", ADDR_B + "/24", "dev", VETH_B);
    run("ip", "-n", A, "link", "set", VETH_A, "up", "mtu", Integer.toString(mtuA));
    run("ip", "-n", B, "link", "set", VETH_B, "up");
    run("ip", "-n", A, "link", "set", "lo", "up");
    run("ip", "-n", B, "link", "set", "lo", "up");
  }

  /** Runs {@code argv} inside namespace {@code ns}. */
  String in(String ns, String... argv) throws Exception {
    return shell.in(ns, argv);
  }

  String run(String... argv) throws Exception {
    return shell.run(argv);
  }

  /** Serves a 40 KB page from namespace {@code ns} with busybox httpd in the foreground. */
  void httpd(String ns, String address) throws Exception {
    Files.writeString(www.resolve("index.html"), "x".repeat(40_000));
    processes.add(NetnsShell.httpd(ns, address + ":80", www));
  }

  /** One HTTP GET from {@code ns} to {@code address}; failures (drops, timeouts) are expected. */
  void get(String ns, String address) {
    try {
      in(
          ns,
          "busybox",
          "timeout",
          "2",
          "busybox",
          "wget",
          "-q",
          "-O",
          "/dev/null",
          "http://" + address + "/");
    } catch (Exception expected) {
      // the faults make some requests fail; the counters are what the test looks at
    }
  }

  /** Deletes both namespaces (which removes the veth, rules and qdiscs inside). */
  void down() {
    shell.deleteNamespaces(A, B);
  }

  @Override
  public void close() throws IOException {
    processes.forEach(NetnsShell::stop);
    down();
    Files.deleteIfExists(www.resolve("index.html"));
    Files.deleteIfExists(www);
  }
}
