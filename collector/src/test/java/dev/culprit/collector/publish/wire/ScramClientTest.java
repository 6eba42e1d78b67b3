package dev.culprit.collector.publish.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The SCRAM client against the published test vector of RFC 7677 (SCRAM-SHA-256). */
class ScramClientTest {

  private static final String SERVER_FIRST =
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

  @Test
  void computesTheProofOfRfc7677AndAcceptsItsServerSignature() throws Exception {
    ScramClient c = new ScramClient("SCRAM-SHA-256", "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    assertThat(text(c.clientFirstMessage())).isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    assertThat(text(c.clientFinalMessage(bytes(SERVER_FIRST))))
        .isEqualTo(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    c.verifyServerFinal(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
  }

  @Test
  void refusesAServerThatDoesNotKnowThePasswordOrWeakensTheExchange() throws Exception {
    ScramClient c = new ScramClient("SCRAM-SHA-256", "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    c.clientFirstMessage();
    c.clientFinalMessage(bytes(SERVER_FIRST));
    assertThatThrownBy(
            () -> c.verifyServerFinal(bytes("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("signature is wrong");

    ScramClient weak = new ScramClient("SCRAM-SHA-512", "user", "pencil", "abc");
    weak.clientFirstMessage();
    assertThatThrownBy(() -> weak.clientFinalMessage(bytes("r=abcdef,s=QSXCR+Q6sek8bf92,i=1")))
        .hasMessageContaining("below 4096");
    ScramClient foreign = new ScramClient("SCRAM-SHA-512", "user", "pencil", "abc");
    foreign.clientFirstMessage();
    assertThatThrownBy(() -> foreign.clientFinalMessage(bytes("r=xyz,s=QSXCR+Q6sek8bf92,i=4096")))
        .hasMessageContaining("nonce");
  }

  @Test
  void escapesCommaAndEqualsInTheUserName() {
    ScramClient c = new ScramClient("SCRAM-SHA-512", "a,b=c", "p", "n1");
    assertThat(text(c.clientFirstMessage())).isEqualTo("n,,n=a=2Cb=3Dc,r=n1");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
