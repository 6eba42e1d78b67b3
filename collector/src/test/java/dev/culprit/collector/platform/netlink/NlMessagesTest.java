package dev.culprit.collector.platform.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NlMessagesTest {

  @Test
  void walksARealDumpToItsDoneMessage() throws Exception {
    List<Integer> types = new ArrayList<>();

    NlMessages.Walk walk =
        NlMessages.walk(
            ReplayedNetnsHandles.bytes("/fixtures/netlink/ns-a", DumpRequest.QDISCS),
            -1,
            (type, payload) -> types.add(type));

    assertThat(walk.done()).isTrue();
    assertThat(walk.interrupted()).isFalse();
    assertThat(types).hasSize(7).containsOnly(Rtnl.RTM_NEWQDISC);
  }

  @Test
  void skipsRepliesToAnEarlierRequest() throws Exception {
    ByteBuffer b =
        messages(message(Rtnl.RTM_NEWLINK, 0, 6), message(Rtnl.RTM_NEWLINK, 0, 7), done(7));
    List<Integer> seen = new ArrayList<>();

    NlMessages.walk(b, 7, (type, payload) -> seen.add(type));

    assertThat(seen).containsExactly(Rtnl.RTM_NEWLINK);
  }

  @Test
  void reportsAnInterruptedDump() throws Exception {
    ByteBuffer b =
        messages(
            message(Rtnl.RTM_NEWLINK, NlMessages.NLM_F_DUMP_INTR | NlMessages.NLM_F_MULTI, 1),
            done(1));

    assertThat(NlMessages.walk(b, 1, (type, payload) -> {}).interrupted()).isTrue();
  }

  @Test
  void turnsAnErrorMessageIntoItsErrno() {
    ByteBuffer error = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
    error
        .putInt(36)
        .putShort((short) NlMessages.NLMSG_ERROR)
        .putShort((short) 0)
        .putInt(3)
        .putInt(0);
    error.putInt(-1); // -EPERM
    error.flip().limit(36);

    assertThatThrownBy(() -> NlMessages.walk(error, 3, (type, payload) -> {}))
        .isInstanceOf(NetlinkException.class)
        .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(1));
  }

  @Test
  void rejectsAMessageLongerThanWhatArrived() {
    ByteBuffer b = message(Rtnl.RTM_NEWLINK, 0, 1);
    b.putInt(0, 400);

    assertThatThrownBy(() -> NlMessages.walk(b, 1, (type, payload) -> {}))
        .isInstanceOf(NetlinkException.class)
        .hasMessageContaining("length 400");
  }

  @Test
  void rejectsAnAttributeRunningPastItsMessage() {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 12).putShort((short) 3).putInt(0);

    assertThatThrownBy(() -> Attrs.parse(b, 0, 8, 10))
        .isInstanceOf(NetlinkException.class)
        .hasMessageContaining("malformed attribute");
  }

  @Test
  void keepsTheFirstAttributeOfATypeAndIgnoresUnknownTypes() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 8).putShort((short) 4).putInt(1500);
    b.putShort((short) 8).putShort((short) 4).putInt(9000);
    b.putShort((short) 8).putShort((short) 99).putInt(7);

    Attrs a = Attrs.parse(b, 0, 24, 10);

    assertThat(a.u32(4)).isEqualTo(1500);
    assertThat(a.has(99)).isFalse();
    assertThat(a.u32(5)).isNull();
  }

  @Test
  void readsAStringWithoutItsTerminatingNul() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 7).putShort((short) 3).put(new byte[] {'e', 't', 'h'});

    assertThat(Attrs.parse(b, 0, 8, 3).string(3)).isEqualTo("eth");
  }

  static ByteBuffer message(int type, int flags, int seq) {
    ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(20).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0).putInt(0);
    return b.flip();
  }

  static ByteBuffer done(int seq) {
    ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(20).putShort((short) NlMessages.NLMSG_DONE).putShort((short) 2).putInt(seq).putInt(0);
    b.putInt(0);
    return b.flip();
  }

  static ByteBuffer messages(ByteBuffer... parts) {
    int size = 0;
    for (ByteBuffer p : parts) {
      size += p.remaining();
    }
    ByteBuffer all = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    for (ByteBuffer p : parts) {
      all.put(p);
    }
    return all.flip();
  }
}
