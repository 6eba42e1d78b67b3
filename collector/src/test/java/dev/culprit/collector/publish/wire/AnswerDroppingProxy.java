package dev.culprit.collector.publish.wire;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * A TCP proxy in front of a Kafka broker that forwards whole frames and, when armed, lets the next
 * Produce request reach the broker but throws its answer away and cuts the connection: the client
 * cannot know whether its batch was written, which is exactly when an idempotent producer must
 * resend it and the broker must write it once.
 */
final class AnswerDroppingProxy implements AutoCloseable {

  private final ServerSocket server;
  private final int upstreamPort;
  private final AtomicBoolean dropNextProduceAnswer = new AtomicBoolean();
  private final AtomicInteger throttleNextProduceAnswerMs = new AtomicInteger();
  private final List<Long> produceRequestNanos = new CopyOnWriteArrayList<>();
  private final List<Long> produceAnswerNanos = new CopyOnWriteArrayList<>();
  private volatile short produceMaxVersion = -1;
  private volatile FakeLeader fakeLeader;

  /** Odd partitions of topics named {@code prefix}… are led by node {@code id} at {@code port}. */
  private record FakeLeader(int id, int port, String prefix) {}

  private final AtomicInteger produceRequests = new AtomicInteger();
  private final AtomicInteger metadataRequests = new AtomicInteger();
  private final AtomicInteger droppedAnswers = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  AnswerDroppingProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.acceptor = new Thread(this::accept, "culprit-test-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /**
   * From now on, ApiVersions answers claim Produce up to {@code max} only: the broker looks like an
   * older one (-1: as it is).
   */
  void capProduceVersion(short max) {
    produceMaxVersion = max;
  }

  /**
   * From now on, Metadata answers add a broker {@code id} at {@code 127.0.0.1:port} (another proxy
   * in front of the same broker) and name it the leader of the odd partitions of topics starting
   * with {@code prefix}: one real broker looks like two leaders to the client. Null: as it is.
   */
  void fakeSecondLeader(int id, int port, String prefix) {
    fakeLeader = prefix == null ? null : new FakeLeader(id, port, prefix);
  }

  void dropNextProduceAnswer() {
    dropNextProduceAnswer.set(true);
  }

  /** The next Produce answer asks the client for a pause of {@code ms} (as a quota would). */
  void throttleNextProduceAnswer(int ms) {
    throttleNextProduceAnswerMs.set(ms);
  }

  /** System.nanoTime() of every Produce request that arrived, in order. */
  List<Long> produceRequestNanos() {
    return produceRequestNanos;
  }

  /** System.nanoTime() of every Produce answer passed on, in order. */
  List<Long> produceAnswerNanos() {
    return produceAnswerNanos;
  }

  int produceRequests() {
    return produceRequests.get();
  }

  int metadataRequests() {
    return metadataRequests.get();
  }

  int droppedAnswers() {
    return droppedAnswers.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        sockets.add(client);
        sockets.add(upstream);
        AtomicBoolean dropAnswer = new AtomicBoolean();
        AtomicBoolean apiVersionsAnswer = new AtomicBoolean();
        AtomicInteger metadataVersion = new AtomicInteger(-1);
        AtomicBoolean produceAnswer = new AtomicBoolean();
        start(
            () ->
                pump(
                    client,
                    upstream,
                    true,
                    dropAnswer,
                    apiVersionsAnswer,
                    metadataVersion,
                    produceAnswer));
        start(
            () ->
                pump(
                    upstream,
                    client,
                    false,
                    dropAnswer,
                    apiVersionsAnswer,
                    metadataVersion,
                    produceAnswer));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /**
   * Copies frames from {@code from} to {@code to}; requests and answers alternate per connection.
   */
  private void pump(
      Socket from,
      Socket to,
      boolean requests,
      AtomicBoolean dropAnswer,
      AtomicBoolean apiVersionsAnswer,
      AtomicInteger metadataVersion,
      AtomicBoolean produceAnswer) {
    try {
      DataInputStream in = new DataInputStream(from.getInputStream());
      DataOutputStream out = new DataOutputStream(to.getOutputStream());
      while (true) {
        int size = in.readInt();
        byte[] frame = new byte[size];
        in.readFully(frame);
        if (requests) {
          short apiKey = (short) (((frame[0] & 0xff) << 8) | (frame[1] & 0xff));
          short version = (short) (((frame[2] & 0xff) << 8) | (frame[3] & 0xff));
          apiVersionsAnswer.set(apiKey == ApiVersionsMessage.KEY && version == 3);
          metadataVersion.set(apiKey == MetadataMessage.KEY ? version : -1);
          if (apiKey == MetadataMessage.KEY) {
            metadataRequests.incrementAndGet();
          }
          produceAnswer.set(apiKey == ProduceMessage.KEY);
          if (apiKey == ProduceMessage.KEY) {
            produceRequestNanos.add(System.nanoTime());
            produceRequests.incrementAndGet();
            if (dropNextProduceAnswer.compareAndSet(true, false)) {
              dropAnswer.set(true);
            }
          }
        } else if (dropAnswer.get()) {
          droppedAnswers.incrementAndGet();
          from.close();
          to.close();
          return;
        } else if (apiVersionsAnswer.getAndSet(false) && produceMaxVersion >= 0) {
          frame = capped(frame, produceMaxVersion);
          size = frame.length;
        } else if (fakeLeader != null && metadataVersion.get() >= 9) {
          frame = withFakeLeader(frame, (short) metadataVersion.getAndSet(-1), fakeLeader);
          size = frame.length;
        } else if (produceAnswer.getAndSet(false)) {
          int throttle = throttleNextProduceAnswerMs.getAndSet(0);
          if (throttle > 0) {
            // Produce v9+ answers end with throttle_time_ms (int32) and the tagged fields; the
            // broker's own answers carry no tagged fields here, so the int32 is 5 bytes from the
            // end.
            ByteBuffer.wrap(frame).putInt(frame.length - 5, throttle);
          }
          produceAnswerNanos.add(System.nanoTime());
        }
        out.writeInt(size);
        out.write(frame);
        out.flush();
      }
    } catch (IOException e) {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // both ends are gone
      }
    }
  }

  /** An ApiVersions v3 answer (header v0: the correlation id only) with Produce capped. */
  private static byte[] capped(byte[] frame, short max) {
    ByteBuffer in = ByteBuffer.wrap(frame);
    int correlationId = in.getInt();
    ApiVersionsResponseData d = new ApiVersionsResponseData();
    d.read(new ByteBufferAccessor(in), (short) 3);
    ApiVersionsResponseData.ApiVersion produce = d.apiKeys().find(ProduceMessage.KEY);
    produce.setMaxVersion((short) Math.min(produce.maxVersion(), max));
    ObjectSerializationCache cache = new ObjectSerializationCache();
    ByteBuffer out = ByteBuffer.allocate(4 + d.size(cache, (short) 3));
    out.putInt(correlationId);
    d.write(new ByteBufferAccessor(out), cache, (short) 3);
    return out.array();
  }

  /** A flexible Metadata answer (header v1: correlation id, tagged fields) with the fake leader. */
  private static byte[] withFakeLeader(byte[] frame, short version, FakeLeader fake) {
    ByteBuffer in = ByteBuffer.wrap(frame);
    int correlationId = in.getInt();
    in.get(); // the header's (empty) tagged fields
    MetadataResponseData d = new MetadataResponseData();
    d.read(new ByteBufferAccessor(in), version);
    d.brokers()
        .add(
            new MetadataResponseData.MetadataResponseBroker()
                .setNodeId(fake.id())
                .setHost("127.0.0.1")
                .setPort(fake.port()));
    for (MetadataResponseData.MetadataResponseTopic t : d.topics()) {
      if (t.name() != null && t.name().startsWith(fake.prefix())) {
        for (MetadataResponseData.MetadataResponsePartition p : t.partitions()) {
          if (p.partitionIndex() % 2 == 1) {
            p.setLeaderId(fake.id());
          }
        }
      }
    }
    ObjectSerializationCache cache = new ObjectSerializationCache();
    ByteBuffer out = ByteBuffer.allocate(5 + d.size(cache, version));
    out.putInt(correlationId);
    out.put((byte) 0);
    d.write(new ByteBufferAccessor(out), cache, version);
    return out.array();
  }

  private static void start(Runnable r) {
    Thread t = new Thread(r, "culprit-test-proxy-pump");
    t.setDaemon(true);
    t.start();
  }
}
