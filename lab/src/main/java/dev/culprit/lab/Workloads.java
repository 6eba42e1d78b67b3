package dev.culprit.lab;

import dev.culprit.collector.platform.fs.OwnedDirectory;
import dev.culprit.lab.LabTopology.Endpoint;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * The command lines of the lab's servers and client loops. The loops are small shell scripts run by
 * busybox, with the program paths passed as arguments (never spliced into the script), and every
 * request bounded by {@code timeout} so a fault slows a loop down but never wedges it.
 */
public final class Workloads {

  /** The big page: 20 KiB, far more than one segment even at MTU 1500. */
  static final String BIG_PAGE = "big.bin";

  static final int BIG_PAGE_BYTES = 20 * 1024;
  static final String SMALL_PAGE = "small.txt";

  /**
   * Header padding of the second request: the seed's server never saw the GET because the request
   * itself did not fit its MTU, so one request per round is large <em>on the way in</em>.
   */
  static final int REQUEST_PAD_BYTES = 1200;

  /** Bytes each round pushes through the echo server: plain TCP both ways besides HTTP. */
  static final int ECHO_BYTES = 4000;

  // $1 busybox, $2 timeout, $3 server address, $4 echo port, $5 pad bytes, $6 echo bytes.
  private static final String WEB_LOOP =
      """
      b=$1; t=$2; web=$3; echo_port=$4
      pad=$("$b" printf "%0${5}d" 0)
      while :; do
        "$t" --foreground 3 "$b" wget -q -O /dev/null "http://$web/big.bin"
        "$t" --foreground 3 "$b" wget -q -O /dev/null --header "X-Pad: $pad" "http://$web/small.txt"
        "$b" head -c "$6" /dev/zero | "$t" --foreground 3 "$b" nc "$web" "$echo_port" >/dev/null
        "$b" sleep 0.3
      done
      """;

  // $1 busybox, $2 timeout, $3 server address.
  private static final String QUIET_LOOP =
      """
      b=$1; t=$2; server=$3
      while :; do
        "$t" --foreground 3 "$b" wget -q -O /dev/null "http://$server/big.bin"
        "$b" sleep 0.5
      done
      """;

  // $1 busybox, $2 timeout, $3 server address, $4 port. nc -w bounds the connect only; timeout
  // bounds a connection that got into the accept queue and then waits forever for a reply.
  private static final String OVERFLOW_LOOP =
      """
      b=$1; t=$2; server=$3; port=$4
      while :; do
        "$t" --foreground 2 "$b" nc -w 1 "$server" "$port" </dev/null >/dev/null
        "$b" sleep 0.2
      done
      """;

  private final Tools tools;

  public Workloads(Tools tools) {
    this.tools = tools;
  }

  /** Writes the pages the HTTP servers serve. */
  public static Path writeSite(Path stateDir) {
    Path www = stateDir.resolve("www");
    try {
      OwnedDirectory.ensure(www, "lab web directory");
      byte[] big = new byte[BIG_PAGE_BYTES];
      Arrays.fill(big, (byte) 'x');
      // Written as root: never through a symlink planted at a page's name.
      OpenOption[] noFollow = {
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS
      };
      Files.write(www.resolve(BIG_PAGE), big, noFollow);
      Files.write(www.resolve(SMALL_PAGE), "ok\n".getBytes(StandardCharsets.US_ASCII), noFollow);
    } catch (IOException e) {
      throw new LabException("cannot write the lab's web pages in " + www + ": " + e, e);
    }
    return www;
  }

  /** busybox httpd in the foreground (so its pid is the one we record), serving {@code www}. */
  public List<String> httpd(Path www) {
    return List.of(
        busybox(),
        "httpd",
        "-f",
        "-p",
        Integer.toString(LabTopology.HTTP_PORT),
        "-h",
        www.toString());
  }

  /** The TCP echo server, a small JVM with a listen backlog well above the client count. */
  public static List<String> echoServer() {
    return javaMain(EchoServer.class, Integer.toString(LabTopology.ECHO_PORT));
  }

  /** A client's steady traffic to the server: a 20 KiB GET, a GET with a large request, an echo. */
  public List<String> webLoop() {
    return script(
        WEB_LOOP,
        LabTopology.WEB_ADDRESS,
        Integer.toString(LabTopology.ECHO_PORT),
        Integer.toString(REQUEST_PAD_BYTES),
        Integer.toString(ECHO_BYTES));
  }

  /** A client's steady traffic to the healthy neighbour. */
  public List<String> quietLoop(Endpoint quiet) {
    return script(QUIET_LOOP, quiet.address());
  }

  /** A client's connection attempts to the stuck listener. */
  public List<String> overflowLoop(int port) {
    return script(OVERFLOW_LOOP, LabTopology.WEB_ADDRESS, Integer.toString(port));
  }

  /** The JVM running {@link StuckListener}. */
  public static List<String> stuckListener(int port, int backlog) {
    return javaMain(StuckListener.class, Integer.toString(port), Integer.toString(backlog));
  }

  /** A JVM as small as a JVM gets, running {@code main} from the jar the lab itself runs from. */
  private static List<String> javaMain(Class<?> main, String... args) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> argv =
        new java.util.ArrayList<>(
            List.of(
                java.toString(),
                "-Xmx16m",
                "-Xss256k",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                // AF_INET sockets, so the servers show in /proc/net/tcp like the seed's.
                "-Djava.net.preferIPv4Stack=true",
                "-cp",
                codeSource().toString(),
                main.getName()));
    argv.addAll(List.of(args));
    return argv;
  }

  /** The jar (or classes directory) this class was loaded from, which also holds the servers. */
  static Path codeSource() {
    try {
      return Path.of(
          StuckListener.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new LabException("cannot find the culprit jar to run the lab's Java servers from", e);
    }
  }

  private List<String> script(String body, String... args) {
    List<String> argv =
        new java.util.ArrayList<>(
            List.of(
                busybox(),
                "sh",
                "-c",
                body,
                "culprit-lab",
                busybox(),
                tools.path(Tools.Tool.TIMEOUT)));
    argv.addAll(List.of(args));
    return argv;
  }

  private String busybox() {
    return tools.path(Tools.Tool.BUSYBOX);
  }
}
