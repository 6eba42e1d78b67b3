/**
 * A small HTTP/1.1 client for the Docker Engine API over its Unix socket: three GET endpoints and
 * the {@code /events} stream are all the container source needs.
 */
package dev.culprit.collector.platform.docker;
