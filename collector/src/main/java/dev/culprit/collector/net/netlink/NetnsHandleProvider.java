package dev.culprit.collector.net.netlink;

import dev.culprit.collector.Netns;
import dev.culprit.collector.NoDataException;
import java.io.IOException;

/** Hands out the open handles of a namespace. */
public interface NetnsHandleProvider {

  /**
   * The handles of {@code netns}, opened on first use.
   *
   * @return null when this namespace cannot be read this way (no permission to enter it, the
   *     namespace thread retired): the caller reads it the forking way
   * @throws NoDataException when the namespace is gone
   */
  NetnsHandles handles(Netns netns) throws NoDataException, IOException;
}
