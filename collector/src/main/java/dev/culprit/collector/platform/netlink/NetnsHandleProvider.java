package dev.culprit.collector.platform.netlink;

import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.SocketChannel;
import java.util.List;

/** Hands out the open handles of a namespace, and sockets opened inside it. */
public interface NetnsHandleProvider {

  /**
   * The handles of {@code netns}, opened on first use.
   *
   * @return null when this namespace cannot be read this way (no permission to enter it, the
   *     namespace thread retired): the caller reads it the forking way
   * @throws NoDataException when the namespace is gone
   */
  NetnsHandles handles(Netns netns) throws NoDataException, IOException;

  /**
   * New TCP sockets (blocking, unconnected), one per entry of {@code families}, created inside
   * {@code netns} in one visit: a socket belongs to the namespace it was created in for life — its
   * routes, addresses and firewall — and can then be used from any thread. The caller owns and
   * closes them.
   *
   * @return null when this provider cannot enter {@code netns} (none by default)
   * @throws NoDataException when the namespace is gone
   */
  default List<SocketChannel> openSocketChannels(Netns netns, List<ProtocolFamily> families)
      throws NoDataException, IOException {
    return null;
  }
}
