package dev.culprit.collector.publish.wire;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * One blocking TCP connection to a broker, one request at a time: frame (int32 size), request
 * header v2 (key, version, correlation id, client id, no tagged fields), body; then the response's
 * size, correlation id and — for every API but ApiVersions — the header's tagged fields. Closing
 * the connection from another thread ends a call in progress with an IOException.
 */
final class BrokerConnection implements AutoCloseable {

  /** Larger answers than this are not what this client asked for: a garbled size, or not Kafka. */
  static final int MAX_RESPONSE_BYTES = 64 << 20;

  private final String address;
  private final String clientId;
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final WireWriter request = new WireWriter(4096);
  private int correlationId;

  private BrokerConnection(String address, String clientId, Socket socket) throws IOException {
    this.address = address;
    this.clientId = clientId;
    this.socket = socket;
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 8192));
    this.out = socket.getOutputStream();
  }

  /**
   * Connects to {@code host:port}.
   *
   * @param timeoutMs for the connection and, afterwards, for each response
   */
  static BrokerConnection open(String host, int port, String clientId, int timeoutMs)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
      socket.connect(new InetSocketAddress(host, port), timeoutMs);
      socket.setSoTimeout(timeoutMs);
      return new BrokerConnection(host + ":" + port, clientId, socket);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
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
    int id = ++correlationId;
    request.reset();
    int sizeAt = request.reserveInt32();
    request.int16(apiKey).int16(version).int32(id).nullableString(clientId).noTaggedFields();
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
      throw new WireProtocolException(
          "broker " + address + " answered with a frame of " + size + " bytes");
    }
    byte[] frame = new byte[size];
    in.readFully(frame);
    ByteBuffer buf = ByteBuffer.wrap(frame);
    int answered = buf.getInt();
    if (answered != id) {
      throw new WireProtocolException(
          "broker " + address + " answered request " + answered + ", expected " + id);
    }
    if (apiKey != ApiVersionsMessage.KEY) {
      new WireReader(buf).skipTaggedFields();
    }
    return buf;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
