package dev.culprit.collector.platform.docker;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an HTTP/1.1 response (RFC 9112) from a stream: status line, header fields, and a body
 * framed by {@code Content-Length}, by {@code Transfer-Encoding: chunked}, or by the end of the
 * connection. Only what the Docker Engine API sends is supported (no trailers are returned, no
 * other transfer codings).
 */
final class HttpMessageReader {

  /** Guards against a peer that never ends a line. */
  private static final int MAX_LINE_BYTES = 64 * 1024;

  private final InputStream in;

  HttpMessageReader(InputStream in) {
    this.in = in;
  }

  /** The status line and headers. */
  record Head(int status, Map<String, String> headers) {
    boolean chunked() {
      return headers
          .getOrDefault("transfer-encoding", "")
          .toLowerCase(Locale.ROOT)
          .contains("chunked");
    }

    Long contentLength() {
      String value = headers.get("content-length");
      return value == null ? null : Long.parseLong(value.trim());
    }
  }

  Head readHead() throws IOException {
    String statusLine = readLine();
    // "HTTP/1.1 200 OK"; the reason phrase may be empty or absent.
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP status line: '" + statusLine + "'");
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("bad HTTP status in '" + statusLine + "'");
    }
    Map<String, String> headers = new HashMap<>();
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IOException("bad HTTP header line '" + line + "'");
      }
      headers.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    return new Head(status, headers);
  }

  /** The whole body of a response with this head. */
  byte[] readBody(Head head, int maxBytes) throws IOException {
    InputStream body = bodyStream(head);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = body.read(buf)) > 0; ) {
      if (out.size() + n > maxBytes) {
        throw new IOException("response body larger than " + maxBytes + " bytes");
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** The body as a stream that ends where the message ends. */
  InputStream bodyStream(Head head) throws IOException {
    if (head.chunked()) {
      return new ChunkedInputStream();
    }
    Long length = head.contentLength();
    if (length != null) {
      return new LimitedInputStream(length);
    }
    return in;
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed inside an HTTP header");
      }
      if (b == '\n') {
        break;
      }
      if (line.size() >= MAX_LINE_BYTES) {
        throw new IOException("HTTP line longer than " + MAX_LINE_BYTES + " bytes");
      }
      line.write(b);
    }
    String s = line.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  /** Decodes {@code size CRLF data CRLF ... 0 CRLF [trailers] CRLF}. */
  private final class ChunkedInputStream extends InputStream {
    private long remaining;
    private boolean done;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (remaining == 0) {
        String sizeLine = readLine();
        int semicolon = sizeLine.indexOf(';');
        String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
        try {
          remaining = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size '" + sizeLine + "'");
        }
        if (remaining == 0) {
          for (String trailer = readLine(); !trailer.isEmpty(); trailer = readLine()) {
            // Trailer fields: not used by the Engine API.
          }
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new EOFException("connection closed inside a chunk");
      }
      remaining -= n;
      if (remaining == 0) {
        readLine(); // the CRLF after the chunk data
      }
      return n;
    }
  }

  private final class LimitedInputStream extends InputStream {
    private long remaining;

    LimitedInputStream(long length) {
      this.remaining = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new EOFException("connection closed with " + remaining + " body bytes missing");
      }
      remaining -= n;
      return n;
    }
  }
}
