package dev.culprit.collector.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NameFilterTest {

  @Test
  void letsEverythingThroughWithoutPatterns() {
    assertThat(NameFilter.all().test("eth0")).isTrue();
    assertThat(NameFilter.of(List.of(), List.of()).test("")).isTrue();
  }

  @Test
  void matchesGlobsWholeAndQuotesEverythingElse() {
    NameFilter f = NameFilter.of(List.of("veth*", "eth?", "a.b"), List.of());

    assertThat(f.test("veth12ab")).isTrue();
    assertThat(f.test("eth0")).isTrue();
    assertThat(f.test("eth10")).isFalse();
    assertThat(f.test("a.b")).isTrue();
    assertThat(f.test("axb")).isFalse();
    assertThat(f.test("myveth0")).isFalse();
  }

  @Test
  void letsExcludesWinAndAcceptsRegexes() {
    NameFilter f = NameFilter.of(List.of("re:culprit-.*"), List.of("culprit-t-*"));

    assertThat(f.test("culprit-web")).isTrue();
    assertThat(f.test("culprit-t-a")).isFalse();
    assertThat(f.test("web")).isFalse();
  }
}
