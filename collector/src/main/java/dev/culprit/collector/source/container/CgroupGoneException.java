package dev.culprit.collector.source.container;

import java.io.IOException;

/** The cgroup was removed while being read: its container exited (normal, 50-250 ms after exit). */
public final class CgroupGoneException extends IOException {

  public CgroupGoneException(String cgroupPath) {
    super("cgroup " + cgroupPath + " is gone");
  }
}
