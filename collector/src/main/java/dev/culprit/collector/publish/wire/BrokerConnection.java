package dev.culprit.collector.publish.wire;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * One blocking TCP connection to a broker, one request at a time: frame (int32 size), request
 * header v2 (key, version, correlation id, client id, no tagged fields), body; then the response's
 * size, correlation id and — for every API but ApiVersions — the header's tagged fields. Closing
 * the connection from another thread ends a connect or call in progress with an IOException; reads
 * time out by themselves, writes only through {@link #closeIfBusyLongerThan}.
 */
final class BrokerConnection implements AutoCloseable {

  /**
   * Larger answers than this are not what this client asked for: a garbled size, or not Kafka. The
   * largest answer it asks for is Metadata for the collector's dozen topics: about 40 bytes a
   * broker and 40 + 12 per replica bytes a partition, so even 100 brokers and 5 000 partitions of
   * three replicas stay under 400 KiB; a Produce answer for a window of 500 records is a few KiB. 4
   * MiB leaves room for that and costs nothing until an answer that large arrives, whereas the old
   * bound (64 MiB) was the agent's whole heap.
   */
  static final int MAX_RESPONSE_BYTES = 4 << 20;

  private final String address;
  private final String clientId;

  /** TLS over the TCP connection (security.protocol SSL, SASL_SSL), or null. */
  private final TlsSettings tls;

  /**
   * The TCP connection, replaced for each address tried; volatile so close() from another thread
   * closes the last. With TLS, close() closes this, not the TLS socket over it: the JDK's TLS close
   * sends close_notify under the lock a blocked write holds, so it would wait for that write.
   */
  private volatile Socket socket = new Socket();

  private final WireWriter request = new WireWriter(4096);
  private DataInputStream in;
  private OutputStream out;
  private int correlationId;

  /** System.nanoTime() when the call in progress (or the connect) began; 0 when idle. */
  private volatile long busySince;

  private volatile boolean closed;

  /** An unconnected connection to {@code address} (for messages), closable before it connects. */
  BrokerConnection(String address, String clientId) {
    this(address, clientId, null);
  }

  /** The same, with TLS when {@code tls} is not null. */
  BrokerConnection(String address, String clientId, TlsSettings tls) {
    this.address = address;
    this.clientId = clientId;
    this.tls = tls;
  }

  /**
   * Connects to {@code host:port}.
   *
   * @param timeoutMs for the connection and, afterwards, for each response
   */
  void connect(String host, int port, int timeoutMs) throws IOException {
    connect(host, InetAddress.getAllByName(host), port, timeoutMs);
  }

  /** Connects to the first of {@code addresses} that accepts (see the method below). */
  void connect(InetAddress[] addresses, int port, int timeoutMs) throws IOException {
    if (tls != null) {
      throw new IllegalStateException("TLS checks the broker's name: connect by name");
    }
    connect(addresses[0].getHostAddress(), addresses, port, timeoutMs);
  }

  /**
   * Connects to the first of {@code addresses} that accepts, in turn (as the Java client does with
   * client.dns.lookup=use_all_dns_ips): a broker name with an IPv6 and an IPv4 address, or several
   * A records, is reachable when any of them is. With TLS, the handshake follows within the
   * timeout, the broker's certificate checked against {@code host}, the name it was given by.
   */
  void connect(String host, InetAddress[] addresses, int port, int timeoutMs) throws IOException {
    busySince = System.nanoTime();
    try {
      IOException failed = null;
      for (InetAddress a : addresses) {
        socket = newSocket();
        if (closed) {
          throw new IOException("connection to " + address + " closed");
        }
        try {
          socket.connect(new InetSocketAddress(a, port), timeoutMs);
          failed = null;
          break;
        } catch (IOException e) {
          socket.close();
          if (failed != null) {
            e.addSuppressed(failed);
          }
          failed = e;
        }
      }
      if (failed != null) {
        throw failed;
      }
      socket.setSoTimeout(timeoutMs);
      Socket streams = socket;
      if (tls != null) {
        // Over the TCP socket, which close() from another thread closes: that ends a stalled
        // handshake too.
        streams = tls.start(socket, host, port);
        if (closed) {
          throw new IOException("connection to " + address + " closed");
        }
      }
      in = new DataInputStream(new BufferedInputStream(streams.getInputStream(), 8192));
      out = streams.getOutputStream();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    } finally {
      busySince = 0;
    }
  }

  /** How long the connect or call in progress has run, in nanoseconds; 0 when idle. */
  long busyNanos() {
    long since = busySince;
    return since == 0 ? 0 : System.nanoTime() - since;
  }

  /** Closes the connection if a connect or call has been in progress longer than {@code nanos}. */
  void closeIfBusyLongerThan(long nanos) {
    long since = busySince;
    if (since != 0 && System.nanoTime() - since > nanos) {
      close();
    }
  }

  String address() {
    return address;
  }

  /**
   * Sends one request and returns the response body, positioned after the response header.
   *
   * @param body writes the request body
   * @throws SocketTimeoutException when no answer came within the connection's timeout
   * @throws WireProtocolException when the answer is not a response to this request
   */
  ByteBuffer call(short apiKey, short version, Consumer<WireWriter> body) throws IOException {
    busySince = System.nanoTime();
    try {
      return exchange(apiKey, version, body);
    } finally {
      busySince = 0;
    }
  }

  private ByteBuffer exchange(short apiKey, short version, Consumer<WireWriter> body)
      throws IOException {
    if (out == null) {
      throw new IOException("not connected to " + address);
    }
    int id = ++correlationId;
    request.reset();
    int sizeAt = request.reserveInt32();
    request.int16(apiKey).int16(version).int32(id).nullableString(clientId);
    if (apiKey != SaslHandshakeMessage.KEY) {
      request.noTaggedFields(); // request header v2; SaslHandshake has no flexible version (v1)
    }
    body.accept(request);
    request.putInt32(sizeAt, request.size() - 4);
    out.write(request.array(), 0, request.size());
    out.flush();

    int size;
    try {
      size = in.readInt();
    } catch (EOFException e) {
      throw new EOFException("broker " + address + " closed the connection");
    }
    if (size < 4 || size > MAX_RESPONSE_BYTES) {
      close(); // the rest of that frame is still on the socket: the connection is unusable
      throw new WireProtocolException(
          "broker "
              + address
              + " answered with a frame of "
              + size
              + " bytes, beyond the "
              + MAX_RESPONSE_BYTES
              + " bytes this client accepts: not a Kafka answer to its request");
    }
    byte[] frame = new byte[size];
    in.readFully(frame);
    ByteBuffer buf = ByteBuffer.wrap(frame);
    int answered = buf.getInt();
    if (answered != id) {
      throw new WireProtocolException(
          "broker " + address + " answered request " + answered + ", expected " + id);
    }
    if (apiKey != ApiVersionsMessage.KEY && apiKey != SaslHandshakeMessage.KEY) {
      new WireReader(buf).skipTaggedFields();
    }
    return buf;
  }

  private static Socket newSocket() throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.setKeepAlive(true);
    return s;
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
