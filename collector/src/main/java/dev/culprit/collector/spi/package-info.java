/**
 * What a source is and what it produces: the contract between the run loop and every kernel source.
 * Nothing here touches the kernel.
 */
package dev.culprit.collector.spi;
