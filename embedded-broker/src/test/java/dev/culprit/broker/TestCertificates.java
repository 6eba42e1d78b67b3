package dev.culprit.broker;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made for a test by the JDK's own {@code keytool}: self-signed key pairs in PKCS12
 * key stores, their certificates in PEM, and trust stores of them. Every store and key has the same
 * password.
 */
public final class TestCertificates {

  private final Path dir;
  private final String password;
  private final Path keytool;

  /** Makes its files in {@code dir}. */
  public TestCertificates(Path dir, String password) {
    this.dir = dir;
    this.password = password;
    this.keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
  }

  /** Whether this JDK has keytool (a JRE without it cannot make certificates). */
  public boolean available() {
    return Files.isExecutable(keytool);
  }

  public String password() {
    return password;
  }

  /**
   * A self-signed RSA key pair for {@code cn} with the subject alternative names {@code san} (e.g.
   * {@code ip:127.0.0.1,dns:localhost}) in the PKCS12 key store {@code name.p12}; its certificate
   * also in {@code name.crt} (PEM).
   */
  public Path keyPair(String name, String cn, String san) throws IOException, InterruptedException {
    Path store = dir.resolve(name + ".p12");
    List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=" + cn));
    if (san != null) {
      args.addAll(List.of("-ext", "SAN=" + san));
    }
    args.addAll(
        List.of(
            "-keystore",
            store.toString(),
            "-storetype",
            "PKCS12",
            "-storepass",
            password,
            "-keypass",
            password));
    keytool(args);
    keytool(
        List.of(
            "-exportcert",
            "-rfc",
            "-alias",
            name,
            "-keystore",
            store.toString(),
            "-storepass",
            password,
            "-file",
            certificate(name).toString()));
    return store;
  }

  /** The PEM certificate of the key pair {@code name}. */
  public Path certificate(String name) {
    return dir.resolve(name + ".crt");
  }

  /** A PKCS12 trust store {@code name.p12} of the certificates of the key pairs {@code trusted}. */
  public Path trustStore(String name, String... trusted) throws IOException, InterruptedException {
    Path store = dir.resolve(name + ".p12");
    for (String t : trusted) {
      keytool(
          List.of(
              "-importcert",
              "-noprompt",
              "-alias",
              t,
              "-file",
              certificate(t).toString(),
              "-keystore",
              store.toString(),
              "-storetype",
              "PKCS12",
              "-storepass",
              password));
    }
    return store;
  }

  /**
   * Broker properties that give listener {@code listener} the key store {@code keyStore} and, when
   * not null, the trust store {@code trustStore} (which a broker needs to check at start that its
   * own clients could connect, and for its replication over that listener).
   */
  public Map<String, String> listener(String listener, Path keyStore, Path trustStore) {
    String l = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".ssl.";
    Map<String, String> p = new LinkedHashMap<>();
    p.put(l + "keystore.location", keyStore.toString());
    p.put(l + "keystore.password", password);
    p.put(l + "key.password", password);
    p.put(l + "keystore.type", "PKCS12");
    if (trustStore != null) {
      p.put(l + "truststore.location", trustStore.toString());
      p.put(l + "truststore.password", password);
      p.put(l + "truststore.type", "PKCS12");
    }
    return p;
  }

  /** Client properties that trust the PKCS12 trust store {@code trustStore}. */
  public Map<String, String> clientTrust(Path trustStore) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("ssl.truststore.location", trustStore.toString());
    p.put("ssl.truststore.password", password);
    p.put("ssl.truststore.type", "PKCS12");
    return p;
  }

  private void keytool(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(keytool.toString());
    command.addAll(args);
    Path log = Files.createTempFile(dir, "keytool-", ".log");
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("keytool did not finish within 120 s: " + args);
    }
    if (p.exitValue() != 0) {
      throw new IOException("keytool " + args + " failed: " + Files.readString(log));
    }
  }
}
