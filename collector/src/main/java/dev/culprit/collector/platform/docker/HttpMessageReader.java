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

  /** Longest status, header, chunk-size or trailer line (Go's net/http allows 1 MiB of headers). */
  static final int MAX_LINE_BYTES = 16 << 10;

  /** Most header (or trailer) fields in one message; the Engine sends about ten. */
  static final int MAX_HEADERS = 100;

  /** Most bytes of all header lines together. */
  static final int MAX_HEAD_BYTES = 64 << 10;

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

    Long contentLength() throws HttpProtocolException {
      String value = headers.get("content-length");
      if (value == null) {
        return null;
      }
      String digits = value.trim();
      if (digits.isEmpty()
          || digits.length() > 18
          || !digits.chars().allMatch(Character::isDigit)) {
        throw new HttpProtocolException("bad Content-Length '" + value + "'");
      }
      return Long.parseLong(digits);
    }
  }

  Head readHead() throws IOException {
    String statusLine = readLine();
    // "HTTP/1.1 200 OK"; the reason phrase may be empty or absent.
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new HttpProtocolException("not an HTTP status line: '" + clip(statusLine) + "'");
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new HttpProtocolException("bad HTTP status in '" + clip(statusLine) + "'");
    }
    Map<String, String> headers = new HashMap<>();
    int count = 0;
    int bytes = 0;
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      bytes += line.length();
      if (++count > MAX_HEADERS || bytes > MAX_HEAD_BYTES) {
        throw new HttpProtocolException(
            "more than " + MAX_HEADERS + " header fields or " + MAX_HEAD_BYTES + " header bytes");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new HttpProtocolException("bad HTTP header line '" + clip(line) + "'");
      }
      headers.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    return new Head(status, headers);
  }

  /** The whole body of a response with this head, at most {@code maxBytes}. */
  byte[] readBody(Head head, int maxBytes) throws IOException {
    Long length = head.contentLength();
    if (length != null && length > maxBytes) {
      throw new HttpProtocolException(
          "response body of " + length + " bytes is larger than " + maxBytes + " bytes");
    }
    InputStream body = bodyStream(head);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = body.read(buf)) > 0; ) {
      if (out.size() + n > maxBytes) {
        throw new HttpProtocolException("response body larger than " + maxBytes + " bytes");
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /**
   * The next line of a body stream (without its LF or CRLF), or null at its end.
   *
   * @throws HttpProtocolException when a line is longer than {@code maxBytes}
   */
  static String readBodyLine(InputStream body, int maxBytes) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    while (true) {
      int b = body.read();
      if (b < 0) {
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
      }
      if (b == '\n') {
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      if (line.size() >= maxBytes) {
        throw new HttpProtocolException("streamed line longer than " + maxBytes + " bytes");
      }
      line.write(b);
    }
  }

  private static String clip(String line) {
    return line.length() <= 200 ? line : line.substring(0, 200) + "…";
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
        throw new HttpProtocolException("HTTP line longer than " + MAX_LINE_BYTES + " bytes");
      }
      line.write(b);
    }
    String s = line.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  /** An input stream whose single-byte {@link #read()} is one {@link #read(byte[], int, int)}. */
  private abstract static class ByteAtATimeFromBlocks extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }
  }

  /** Decodes {@code size CRLF data CRLF ... 0 CRLF [trailers] CRLF}. */
  private final class ChunkedInputStream extends ByteAtATimeFromBlocks {
    private long remaining;
    private boolean done;

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (remaining == 0) {
        String sizeLine = readLine();
        int semicolon = sizeLine.indexOf(';');
        String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
        // 1 to 15 hex digits: no sign, no "0x", no value that overflows a long.
        if (hex.isEmpty()
            || hex.length() > 15
            || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
          throw new HttpProtocolException("bad chunk size '" + clip(sizeLine) + "'");
        }
        remaining = Long.parseLong(hex, 16);
        if (remaining == 0) {
          int trailers = 0;
          for (String trailer = readLine(); !trailer.isEmpty(); trailer = readLine()) {
            // Trailer fields: not used by the Engine API.
            if (++trailers > MAX_HEADERS) {
              throw new HttpProtocolException("more than " + MAX_HEADERS + " trailer fields");
            }
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
      if (remaining == 0 && !readLine().isEmpty()) {
        throw new HttpProtocolException("chunk data longer than its size");
      }
      return n;
    }
  }

  private final class LimitedInputStream extends ByteAtATimeFromBlocks {
    private long remaining;

    LimitedInputStream(long length) {
      this.remaining = length;
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
