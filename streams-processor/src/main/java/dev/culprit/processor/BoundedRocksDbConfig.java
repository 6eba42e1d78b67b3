package dev.culprit.processor;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store of this JVM together (the pattern of the Kafka
 * Streams memory-management guide): one block cache shared by all store instances, with the
 * memtables charged to it. By default each store instance (one per task) gets its own 50 MB cache
 * and up to three 16 MB memtables, which on this machine made the processor's resident set twice
 * its heap. The baselines are read once per sample and written right after, so a small cache costs
 * little: what misses it is in the OS page cache.
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {

  private static final long TOTAL_OFF_HEAP_BYTES = 64L * 1024 * 1024;
  private static final long TOTAL_MEMTABLE_BYTES = 16L * 1024 * 1024;
  private static final double INDEX_FILTER_BLOCK_RATIO = 0.1;

  // Shared by every store instance of the JVM, never closed per store.
  private static final Cache CACHE =
      new LRUCache(TOTAL_OFF_HEAP_BYTES, -1, false, INDEX_FILTER_BLOCK_RATIO);
  private static final WriteBufferManager WRITE_BUFFERS =
      new WriteBufferManager(TOTAL_MEMTABLE_BYTES, CACHE);

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(CACHE);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(WRITE_BUFFERS);
    options.setMaxWriteBufferNumber(2);
    options.setWriteBufferSize(TOTAL_MEMTABLE_BYTES / 4);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and write buffer manager are shared: closing them here would break the others.
  }
}
