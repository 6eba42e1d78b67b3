package dev.culprit.collector.platform.netlink;

import dev.culprit.collector.platform.exec.ReplayingCommandRunner;
import dev.culprit.collector.spi.Netns;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Namespace handles that replay a captured namespace ({@code fixtures/netlink/DIR}): each dump
 * request answers with its real captured bytes, walked by the real message code; {@code net/dev} is
 * the captured file. A request the folder has no capture of fails as netlink would on a kernel
 * without it. Records which requests were made.
 */
public final class ReplayedNetnsHandles implements NetnsHandles, NetnsHandleProvider {

  private final String dir;
  private final List<DumpRequest> requests = new ArrayList<>();

  /**
   * @param dir a fixture folder such as {@code /fixtures/netlink/ns-a}
   */
  public ReplayedNetnsHandles(String dir) {
    this.dir = dir;
  }

  /** The captured bytes of {@code request} in this folder, little-endian. */
  public static ByteBuffer bytes(String dir, DumpRequest request) {
    byte[] raw =
        NlHex.parse(
            ReplayingCommandRunner.resource(dir + "/" + CaptureNetlinkFixtures.fileName(request)));
    return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
  }

  public synchronized List<DumpRequest> requests() {
    return List.copyOf(requests);
  }

  @Override
  public NetnsHandles handles(Netns netns) {
    return this;
  }

  @Override
  public boolean dump(DumpRequest request, NlMessages.Handler handler) throws IOException {
    synchronized (this) {
      requests.add(request);
    }
    if (ReplayedNetnsHandles.class.getResource(dir + "/" + CaptureNetlinkFixtures.fileName(request))
        == null) {
      // captured before this request existed: answer as a kernel without it would
      throw new NetlinkException("fixture " + dir + " has no " + request + " capture");
    }
    NlMessages.Walk walk = NlMessages.walk(bytes(dir, request), -1, handler);
    if (!walk.done()) {
      throw new NetlinkException("fixture " + request + " has no NLMSG_DONE");
    }
    return walk.interrupted();
  }

  @Override
  public byte[] capture(DumpRequest request) {
    ByteBuffer b = bytes(dir, request);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Override
  public Map<String, String> readNetFiles(List<String> names) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : names) {
      if (name.equals("dev")) {
        out.put(name, ReplayingCommandRunner.resource(dir + "/proc-net-dev.txt"));
      }
    }
    return out;
  }
}
