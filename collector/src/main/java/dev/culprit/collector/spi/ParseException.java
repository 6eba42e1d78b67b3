package dev.culprit.collector.spi;

/**
 * Text from the kernel or a tool that does not have the shape its parser knows: a short line, a
 * non-number where a counter belongs, a value line without its header. Names the file (or command)
 * and the 1-based line, so an operator can look at the very line.
 */
public final class ParseException extends Exception {

  private final String source;
  private final int line;

  public ParseException(String source, int line, String problem) {
    super(source + (line > 0 ? ":" + line : "") + ": " + problem);
    this.source = source;
    this.line = line;
  }

  public ParseException(String source, int line, String problem, Throwable cause) {
    super(source + (line > 0 ? ":" + line : "") + ": " + problem, cause);
    this.source = source;
    this.line = line;
  }

  /** The file or command the text came from. */
  public String source() {
    return source;
  }

  /** The 1-based line number, or 0 when the problem is not on one line. */
  public int line() {
    return line;
  }
}
