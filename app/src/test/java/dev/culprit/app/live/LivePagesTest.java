package dev.culprit.app.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pages as markup, from documents made here (no broker). */
class LivePagesTest {

  static final String HOSTILE = "<script>alert(1)</script>\"'&";

  @Test
  void fleetPageCutsLongListsAndEscapesEveryNameAHostSent() {
    long now = 1_700_000_000_000L;
    List<LiveJson.Host> hosts = new ArrayList<>();
    hosts.add(host("fresh", now, List.of()));
    for (int i = 0; i < 150; i++) {
      hosts.add(host(HOSTILE + i, now - 600_000, List.of()));
    }
    LiveJson.Cause cause =
        new LiveJson.Cause(
            HOSTILE, "FIREWALL_DROP", HOSTILE, "", HOSTILE, now - 20_000, now - 10_000);
    hosts.add(host("dropping", now, List.of(cause)));
    String page =
        LivePages.fleet(
            new LiveJson.Hosts(hosts, List.of("a:1"), List.of(HOSTILE)),
            new LiveJson.Incidents(List.of(), List.of(), List.of()),
            now,
            30_000,
            50_000,
            10);

    assertThat(page).doesNotContain("<script");
    assertThat(count(page, "<li class=\"silent-host\"")).isEqualTo(LivePages.MAX_LISTED);
    assertThat(page).contains("… and 50 more");
    assertThat(page).contains("<article class=\"by-cause\" data-cause=\"FIREWALL_DROP\">");
    // Links carry the name URL-encoded, then escaped.
    assertThat(page).contains("href=\"/hosts/%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22%27%2610\"");
    assertThat(page).contains("&lt;script&gt;"); // the instance that did not answer, as text
  }

  private static LiveJson.Host host(String name, long lastSeenMs, List<LiveJson.Cause> causes) {
    return new LiveJson.Host(name, lastSeenMs, causes, null, null, null, null);
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
