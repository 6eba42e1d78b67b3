package dev.culprit.collector.platform.netlink;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/** Opening several TCP sockets at once, all or none. */
public final class SocketChannels {

  private SocketChannels() {}

  /**
   * One unconnected socket per family, in the calling thread's network namespace; when one fails,
   * those already opened are closed and the failure is thrown.
   */
  public static List<SocketChannel> openAll(List<ProtocolFamily> families) throws IOException {
    List<SocketChannel> out = new ArrayList<>(families.size());
    try {
      for (ProtocolFamily family : families) {
        out.add(SocketChannel.open(family));
      }
      return out;
    } catch (IOException | RuntimeException e) {
      for (SocketChannel channel : out) {
        try {
          channel.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }
}
