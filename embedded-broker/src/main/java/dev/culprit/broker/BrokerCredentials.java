package dev.culprit.broker;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The users of an authenticated embedded broker: {@code culprit}, a SCRAM user for culprit's own
 * clients, and {@code culprit-broker}, a PLAIN user in the broker's configuration with which the
 * broker talks to itself (inter-broker and controller connections). Random passwords made on first
 * start and kept in {@code credentials.properties} of the broker's directory, readable by its owner
 * only: whoever can read that file is culprit.
 */
public record BrokerCredentials(
    String clientUser, String clientPassword, String brokerUser, String brokerPassword) {

  /** The client user's name. */
  public static final String CLIENT_USER = "culprit";

  /** The broker's own user's name. */
  public static final String BROKER_USER = "culprit-broker";

  /** SCRAM-SHA-512: the strongest mechanism Kafka has that needs no external service. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  static final String FILE = "credentials.properties";

  /**
   * The credentials kept in {@code brokerDir}, made (0600, never through a symlink) when absent.
   *
   * @return the credentials, and whether they were made just now
   */
  static Loaded loadOrCreate(Path brokerDir) throws IOException {
    Path file = brokerDir.resolve(FILE);
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return new Loaded(read(file), false);
    }
    BrokerCredentials made =
        new BrokerCredentials(CLIENT_USER, randomPassword(), BROKER_USER, randomPassword());
    Properties p = new Properties();
    p.setProperty("client.user", made.clientUser);
    p.setProperty("client.password", made.clientPassword);
    p.setProperty("broker.user", made.brokerUser);
    p.setProperty("broker.password", made.brokerPassword);
    StringWriter text = new StringWriter();
    p.store(text, "culprit embedded broker users; keep this file private (mode 0600)");
    // A file born private in the directory culprit owns, then renamed into place: no moment at
    // which another user could read it, and no symlink planted at the name is followed.
    Path tmp =
        Files.createTempFile(
            brokerDir,
            ".credentials",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write(text.toString());
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    return new Loaded(made, true);
  }

  private static BrokerCredentials read(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw new IOException(file + " is a symbolic link; refusing to read credentials through it");
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    BrokerCredentials c =
        new BrokerCredentials(
            p.getProperty("client.user"),
            p.getProperty("client.password"),
            p.getProperty("broker.user"),
            p.getProperty("broker.password"));
    if (c.clientUser == null
        || c.clientPassword == null
        || c.brokerUser == null
        || c.brokerPassword == null) {
      throw new IOException(file + " lacks client.user/password or broker.user/password");
    }
    return c;
  }

  /** Credentials read from the broker's directory, and whether they were made on this start. */
  record Loaded(BrokerCredentials credentials, boolean created) {}

  /** Kafka client properties that log in as the client user. */
  public Map<String, String> clientProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("security.protocol", "SASL_PLAINTEXT");
    p.put("sasl.mechanism", MECHANISM);
    p.put("sasl.jaas.config", scramJaas(clientUser, clientPassword));
    return p;
  }

  /** The {@code --add-scram} argument that creates the client user when storage is formatted. */
  List<String> scramArguments() {
    return List.of(MECHANISM + "=[name=" + clientUser + ",password=" + clientPassword + "]");
  }

  static String scramJaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  /**
   * PLAIN with one static user, the broker's own: the JAAS config of both its listeners' PLAIN side
   * (which accepts only that user) and of the broker's own connections.
   */
  String brokerPlainJaas() {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + brokerUser
        + "\" password=\""
        + brokerPassword
        + "\" user_"
        + brokerUser
        + "=\""
        + brokerPassword
        + "\";";
  }

  @Override
  public String toString() {
    return "BrokerCredentials[" + clientUser + ", " + brokerUser + ", passwords hidden]";
  }

  private static String randomPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    // URL-safe, no padding: nothing JAAS or the --add-scram syntax would need to quote.
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
