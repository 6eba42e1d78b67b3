/**
 * Finding the host's network namespaces (named, containers', other processes') and reading files
 * inside them. A namespace is identified by its inode, labelled by the most useful name the host
 * gives it.
 */
package dev.culprit.collector.platform.netns;
