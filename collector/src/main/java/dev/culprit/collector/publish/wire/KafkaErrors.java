package dev.culprit.collector.publish.wire;

/**
 * The Kafka error codes this client acts on, with their protocol names (from the protocol guide's
 * error table, https://kafka.apache.org/protocol#protocol_error_codes). Any other code is reported
 * by number and treated as transient: the records stay in the spool and are sent again.
 */
final class KafkaErrors {

  static final short NONE = 0;
  static final short CORRUPT_MESSAGE = 2;
  static final short UNKNOWN_TOPIC_OR_PARTITION = 3;
  static final short LEADER_NOT_AVAILABLE = 5;
  static final short NOT_LEADER_OR_FOLLOWER = 6;
  static final short REQUEST_TIMED_OUT = 7;
  static final short MESSAGE_TOO_LARGE = 10;
  static final short NETWORK_EXCEPTION = 13;
  static final short COORDINATOR_LOAD_IN_PROGRESS = 14;
  static final short COORDINATOR_NOT_AVAILABLE = 15;
  static final short NOT_COORDINATOR = 16;
  static final short INVALID_TOPIC_EXCEPTION = 17;
  static final short RECORD_LIST_TOO_LARGE = 18;
  static final short NOT_ENOUGH_REPLICAS = 19;
  static final short NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20;
  static final short INVALID_REQUIRED_ACKS = 21;
  static final short TOPIC_AUTHORIZATION_FAILED = 29;
  static final short CLUSTER_AUTHORIZATION_FAILED = 31;
  static final short INVALID_TIMESTAMP = 32;
  static final short UNSUPPORTED_VERSION = 35;
  static final short OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
  static final short DUPLICATE_SEQUENCE_NUMBER = 46;
  static final short INVALID_PRODUCER_EPOCH = 47;
  static final short KAFKA_STORAGE_ERROR = 56;
  static final short UNKNOWN_PRODUCER_ID = 59;
  static final short FENCED_LEADER_EPOCH = 74;
  static final short UNKNOWN_LEADER_EPOCH = 75;
  static final short UNSUPPORTED_COMPRESSION_TYPE = 76;
  static final short INVALID_RECORD = 87;
  static final short PRODUCER_FENCED = 90;

  private KafkaErrors() {}

  /** The protocol name of {@code code}, or "error code N". */
  static String name(short code) {
    return switch (code) {
      case NONE -> "NONE";
      case CORRUPT_MESSAGE -> "CORRUPT_MESSAGE";
      case UNKNOWN_TOPIC_OR_PARTITION -> "UNKNOWN_TOPIC_OR_PARTITION";
      case LEADER_NOT_AVAILABLE -> "LEADER_NOT_AVAILABLE";
      case NOT_LEADER_OR_FOLLOWER -> "NOT_LEADER_OR_FOLLOWER";
      case REQUEST_TIMED_OUT -> "REQUEST_TIMED_OUT";
      case MESSAGE_TOO_LARGE -> "MESSAGE_TOO_LARGE";
      case NETWORK_EXCEPTION -> "NETWORK_EXCEPTION";
      case COORDINATOR_LOAD_IN_PROGRESS -> "COORDINATOR_LOAD_IN_PROGRESS";
      case COORDINATOR_NOT_AVAILABLE -> "COORDINATOR_NOT_AVAILABLE";
      case NOT_COORDINATOR -> "NOT_COORDINATOR";
      case INVALID_TOPIC_EXCEPTION -> "INVALID_TOPIC_EXCEPTION";
      case RECORD_LIST_TOO_LARGE -> "RECORD_LIST_TOO_LARGE";
      case NOT_ENOUGH_REPLICAS -> "NOT_ENOUGH_REPLICAS";
      case NOT_ENOUGH_REPLICAS_AFTER_APPEND -> "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
      case INVALID_REQUIRED_ACKS -> "INVALID_REQUIRED_ACKS";
      case TOPIC_AUTHORIZATION_FAILED -> "TOPIC_AUTHORIZATION_FAILED";
      case CLUSTER_AUTHORIZATION_FAILED -> "CLUSTER_AUTHORIZATION_FAILED";
      case INVALID_TIMESTAMP -> "INVALID_TIMESTAMP";
      case UNSUPPORTED_VERSION -> "UNSUPPORTED_VERSION";
      case OUT_OF_ORDER_SEQUENCE_NUMBER -> "OUT_OF_ORDER_SEQUENCE_NUMBER";
      case DUPLICATE_SEQUENCE_NUMBER -> "DUPLICATE_SEQUENCE_NUMBER";
      case INVALID_PRODUCER_EPOCH -> "INVALID_PRODUCER_EPOCH";
      case KAFKA_STORAGE_ERROR -> "KAFKA_STORAGE_ERROR";
      case UNKNOWN_PRODUCER_ID -> "UNKNOWN_PRODUCER_ID";
      case FENCED_LEADER_EPOCH -> "FENCED_LEADER_EPOCH";
      case UNKNOWN_LEADER_EPOCH -> "UNKNOWN_LEADER_EPOCH";
      case UNSUPPORTED_COMPRESSION_TYPE -> "UNSUPPORTED_COMPRESSION_TYPE";
      case INVALID_RECORD -> "INVALID_RECORD";
      case PRODUCER_FENCED -> "PRODUCER_FENCED";
      default -> "error code " + code;
    };
  }

  /**
   * Whether the broker will never take the batch as it is: its records are dropped (counted as
   * rejected) rather than retried forever. Size errors are handled before this by splitting.
   */
  static boolean permanent(short code) {
    return code == MESSAGE_TOO_LARGE
        || code == RECORD_LIST_TOO_LARGE
        || code == INVALID_TOPIC_EXCEPTION
        || code == INVALID_TIMESTAMP
        || code == INVALID_RECORD;
  }

  /** Whether the producer id's state on the broker is gone or stale: a new id is needed. */
  static boolean producerStateLost(short code) {
    return code == OUT_OF_ORDER_SEQUENCE_NUMBER
        || code == UNKNOWN_PRODUCER_ID
        || code == INVALID_PRODUCER_EPOCH
        || code == PRODUCER_FENCED;
  }

  /**
   * Whether the topic does not exist or this client may not write to it: the records of that topic
   * fail back to the caller at once, without holding back other topics.
   */
  static boolean topicUnavailable(short code) {
    return code == UNKNOWN_TOPIC_OR_PARTITION || code == TOPIC_AUTHORIZATION_FAILED;
  }

  /** Whether the partition's leader may have moved: metadata is fetched again before retrying. */
  static boolean staleMetadata(short code) {
    return code == NOT_LEADER_OR_FOLLOWER
        || code == LEADER_NOT_AVAILABLE
        || code == UNKNOWN_TOPIC_OR_PARTITION
        || code == FENCED_LEADER_EPOCH
        || code == UNKNOWN_LEADER_EPOCH
        || code == KAFKA_STORAGE_ERROR;
  }
}
