package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolsTest {

  @TempDir Path dir;

  @Test
  void namesEveryMissingToolAndThePackagesThatProvideThem() throws Exception {
    executable(dir.resolve("ip"));
    executable(dir.resolve("busybox"));
    Files.writeString(dir.resolve("tc"), "not executable");
    Tools tools = Tools.search(List.of(dir));

    assertThat(tools.path(Tools.Tool.IP)).isEqualTo(dir.resolve("ip").toString());
    assertThatThrownBy(() -> tools.require(EnumSet.allOf(Tools.Tool.class)))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("iptables, tc, setsid, timeout")
        .hasMessageContaining("apt-get install iptables iproute2 util-linux coreutils");
    tools.require(EnumSet.of(Tools.Tool.IP, Tools.Tool.BUSYBOX)); // present: no error
  }

  @Test
  void takesTheFirstDirectoryThatHasTheTool() throws Exception {
    Path first = Files.createDirectory(dir.resolve("first"));
    Path second = Files.createDirectory(dir.resolve("second"));
    executable(second.resolve("ip"));
    executable(first.resolve("ip"));
    assertThat(Tools.search(List.of(first, second)).path(Tools.Tool.IP))
        .isEqualTo(first.resolve("ip").toString());
  }

  @Test
  void readsTheEffectiveUidNotTheRealOne() throws Exception {
    Path status = dir.resolve("status");
    Files.writeString(status, "Name:\tjava\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n");
    assertThat(Tools.effectiveUid(status)).isZero();
    Files.writeString(status, "Name:\tjava\nUid:\t0\t1000\t1000\t1000\n");
    assertThat(Tools.effectiveUid(status)).isEqualTo(1000);
  }

  @Test
  void explainsThatTheLabNeedsRootWhenRunAsAUser() throws Exception {
    Path status = dir.resolve("status");
    Files.writeString(status, "Uid:\t1000\t1000\t1000\t1000\n");
    assertThatThrownBy(() -> Tools.requireRoot(status))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("needs root")
        .hasMessageContaining("sudo");
  }

  @Test
  void failsClearlyWhenTheStatusFileHasNoUid() throws Exception {
    Path status = dir.resolve("status");
    Files.writeString(status, "Name:\tjava\n");
    assertThatThrownBy(() -> Tools.effectiveUid(status)).hasMessageContaining("no Uid line");
  }

  private static void executable(Path path) throws Exception {
    Files.writeString(path, "#!/bin/sh\n");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
